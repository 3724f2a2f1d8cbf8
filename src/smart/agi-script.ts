import type { AgiHandler } from "../agi/handler.ts";
import { knownValue } from "../agi/env.ts";
import { setCallerName } from "../ivr/smart-route.ts";
import type { SmartService } from "./service.ts";

/**
 * agi://host/smart: Smart Redirect from the dialplan without CURL or Macro() (gone in
 * Asterisk 21+). Sets CALLERID(name) when a name is known and always sets NEXT (empty when
 * no manager), for the seed's hook:
 *   same => n,Set(INCALL=${EXTEN})
 *   same => n,AGI(agi://127.0.0.1:4573/smart?enterprise=0367)
 *   same => n,GotoIf($["${NEXT}" != ""]?${NEXT},${INCALL},1)
 * The caller is the first AGI argument or the caller id; the line the second argument or the
 * extension. The enterprise may be left out when only one is configured.
 */
export function smartScript(service: SmartService): AgiHandler {
  return async (channel, log) => {
    const { env } = channel;
    const phone = env.args[0] || knownValue(env.callerid);
    const line = env.args[1] || env.extension;
    const enterpriseId = env.params.enterprise ?? service.soleEnterprise()?.id;
    let next = "";
    if (!enterpriseId) {
      log.error('smart: which enterprise? add ?enterprise=<id> to agi://.../smart (several are configured)');
    } else if (!phone) {
      log.info("smart: no caller number: no routing");
    } else {
      const decision = await service.decideFor(enterpriseId, { phone, line }, env.uniqueid);
      if (!decision) {
        log.error(`smart: no enterprise "${enterpriseId}" under smart.enterprises`);
      } else {
        if (decision.name) await setCallerName(channel, decision.name, log);
        next = decision.dialPlan ?? "";
        const message = next ? `Smart Redirect: ${next} (${decision.reason})` : `Smart Redirect: no routing (${decision.outcome}: ${decision.reason})`;
        log.info(message);
        await channel.verbose(message);
      }
    }
    // Always set, so a NEXT left over from earlier in the dialplan never routes this call.
    await channel.setVariable("NEXT", next);
  };
}
