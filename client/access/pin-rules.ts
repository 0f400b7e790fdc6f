/**
 * The PIN rules of patient reference numbers, checked here before the request so
 * people see the problem at once. They mirror `pinProblem` in
 * server/access/reference-numbers.ts word for word; the server checks again.
 */
export const PIN_HINT =
  '4 to 8 digits, not one repeated digit (like 1111) and not a simple run (like 1234 or 4321).'

/** Why a PIN would be refused, or null when it is acceptable. */
export function pinProblem(pin: string): string | null {
  if (!/^[0-9]{4,8}$/.test(pin)) return 'The PIN must be 4 to 8 digits.'
  if (/^(.)\1*$/.test(pin)) return 'The PIN must not repeat one digit (like 1111).'
  if (isRun(pin, 1) || isRun(pin, -1))
    return 'The PIN must not be a simple run of digits (like 1234 or 4321).'
  return null
}

function isRun(pin: string, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    if (Number(pin[i]) - Number(pin[i - 1]) !== step) return false
  }
  return true
}

/** What the Access tab says about a number that fails the department's minimum complexity. */
export const NON_COMPLIANT_TEXT = 'does not meet the minimum complexity — cannot be used'
