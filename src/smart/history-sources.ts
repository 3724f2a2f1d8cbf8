import type { History } from "../history/db.ts";
import type { PhoneMatch } from "../history/phone.ts";
import { answeredExtension, type CallerFacts, callerFacts } from "../history/queries.ts";
import type { SmartSources } from "./decide.ts";

/**
 * The engine's lookups, answered by the call history. Every decision asks the caller's name
 * and then (rule last_call) the last extension that answered them: both come from one
 * statement (callerFacts), kept for as long as the decision holds its PhoneMatch. A caller
 * no extension ever answered has no first one either (the same rows, read in the other
 * order): rule first_call asks the history only when last_call found an extension.
 */
export function historySources(history: History): SmartSources {
  const facts = new WeakMap<PhoneMatch, CallerFacts>();
  const factsOf = (phone: PhoneMatch) => {
    let known = facts.get(phone);
    if (!known) facts.set(phone, (known = callerFacts(history, phone)));
    return known;
  };
  return {
    answeredExtension: (phone, which) => {
      const last = factsOf(phone).lastAnswered;
      return which === "last" || last === undefined ? last : answeredExtension(history, phone, "first");
    },
    callerName: (phone) => factsOf(phone).name,
  };
}
