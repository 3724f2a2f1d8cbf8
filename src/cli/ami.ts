import { managerConf } from "../ami/manager-conf.ts";
import { loadConfigFile } from "../config/load.ts";
import { findConfig } from "../config/paths.ts";
import { secretReference } from "../config/secret.ts";
import { parseFlags, UsageError } from "./args.ts";
import { orCommandFailure } from "./load-config.ts";

/** `ivr ami --manager-conf`: the manager.conf section for the product's AMI user. */
export async function runAmi(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { config: { type: "string" }, "manager-conf": { type: "boolean" }, permit: { type: "string" } });
  if (!values["manager-conf"]) throw new UsageError("nothing to do: give --manager-conf");
  if (values.permit !== undefined && !/^[0-9a-fA-F:.]+(\/[0-9a-fA-F:.]+)?$/.test(values.permit)) {
    throw new UsageError(`--permit takes an address or a network (10.0.0.5, 10.0.0.0/24), not "${values.permit}"`);
  }
  // The config is optional here: it only names the user and says where ivr connects.
  const location = findConfig(values.config);
  const ami = location ? orCommandFailure(() => loadConfigFile(location.path)).config.ami : undefined;
  const host = ami?.host ?? "127.0.0.1";
  const variable = ami ? secretReference(ami.secret) : undefined;
  process.stdout.write(
    managerConf({
      username: ami?.username ?? "ivr",
      host,
      permit: values.permit ?? "127.0.0.1",
      secretSource: variable ? `here taken from $${variable}` : ami ? "written in the config" : undefined,
    }),
  );
  return 0;
}
