/**
 * Preloaded into every server under test (with `--expose-gc`): SIGUSR2 runs a
 * full garbage collection, so the harness reads retained memory rather than
 * wherever the collector happened to be. Nothing else changes; the harness
 * signals only between measurement windows.
 */
const collect = (globalThis as { gc?: () => void }).gc
process.on('SIGUSR2', () => collect?.())
