import type { IvrConfig } from "../config/schema.ts";
import type { UserLookup } from "./store.ts";

/**
 * Who an internal number belongs to, from the Smart Redirect users (every enterprise's
 * phones), rebuilt only when the config in force changes.
 */
export function usersByExtension(config: () => IvrConfig): UserLookup {
  let built: IvrConfig | undefined;
  let map = new Map<string, { id: number; name?: string }>();
  return (extension) => {
    const current = config();
    if (current !== built) {
      built = current;
      map = new Map();
      for (const enterprise of Object.values(current.smart?.enterprises ?? {})) {
        for (const user of enterprise.users ?? []) {
          for (const phone of user.phones) if (!map.has(phone.number)) map.set(phone.number, { id: user.id, name: user.name });
        }
      }
    }
    return map.get(extension);
  };
}
