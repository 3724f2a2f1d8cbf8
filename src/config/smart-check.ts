import type { Problem } from "./menu.ts";
import type { IvrConfig } from "./schema.ts";

/**
 * Smart Redirect mistakes no single key shows: two phones with one id (their contexts
 * mngr<id>_... would collide), one internal number owned twice (which manager is it?),
 * one token for two enterprises (whose request is it?).
 */
export function smartProblems(config: IvrConfig): Problem[] {
  const problems: Problem[] = [];
  const dialplan = config.smart?.dialplan;
  if (dialplan?.write_on_change && !dialplan.file) {
    problems.push({ path: ["smart", "dialplan", "write_on_change"], message: "needs smart.dialplan.file: the extensions.conf to write" });
  }
  const tokens = new Map<string, string>();
  for (const [id, enterprise] of Object.entries(config.smart?.enterprises ?? {})) {
    const at = ["smart", "enterprises", id];
    const other = tokens.get(enterprise.token);
    if (other !== undefined) problems.push({ path: [...at, "token"], message: `the same token as enterprise ${other}: each enterprise needs its own` });
    tokens.set(enterprise.token, id);
    const phoneIds = new Map<number, string>();
    const numbers = new Map<string, string>();
    (enterprise.users ?? []).forEach((user, u) => {
      user.phones.forEach((phone, p) => {
        const where = [...at, "users", String(u), "phones", String(p)];
        const owner = `user ${user.id}${user.name ? ` (${user.name})` : ""}`;
        const sameId = phoneIds.get(phone.id);
        if (sameId) problems.push({ path: [...where, "id"], message: `phone id ${phone.id} is also used by ${sameId}: ids name dialplan contexts and must be unique` });
        phoneIds.set(phone.id, owner);
        const sameNumber = numbers.get(phone.number);
        if (sameNumber) problems.push({ path: [...where, "number"], message: `internal number ${phone.number} also belongs to ${sameNumber}` });
        numbers.set(phone.number, owner);
      });
    });
  }
  return problems;
}
