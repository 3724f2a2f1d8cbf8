/**
 * The dialplan context of one step of a manager's routing on one line:
 * `mngr<phoneId>_<line>_<step>`, the seed's naming, which the generated dialplan defines
 * and the getcustomerdata answer names.
 */
export function contextName(phoneId: number, line: string, step = 1): string {
  return `mngr${phoneId}_${line}_${step}`;
}
