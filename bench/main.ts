/**
 * `npm run bench` — placeholder. The benchmark harness (StudySync against the
 * reference y-websocket server and Hocuspocus, side by side) has its own issue.
 */
process.stdout.write(
  'npm run bench: the benchmark harness is not built yet (see the benchmarks issue).\n',
)
