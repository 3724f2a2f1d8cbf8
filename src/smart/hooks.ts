/**
 * What the administrator pastes into the inbound context of the Smart Redirect lines (the
 * seed's [from-out-office]), to replace Macro(getcustomerdata), which Asterisk 21+ no longer
 * runs. Both keep the seed's contract: NEXT names the context, INCALL the line.
 */

/** The hook through the FastAGI server: no CURL, no JSON in the dialplan. */
export function agiHook(fastagi: string, enterprise: string | undefined): string[] {
  const query = enterprise ? `?enterprise=${enterprise}` : "";
  return [
    "; Smart Redirect through ivr serve (FastAGI). In the inbound context of the lines, before the usual routing:",
    "exten => _X.,1,Set(INCALL=${EXTEN})",
    ` same => n,AGI(agi://${fastagi}/smart${query})`,
    ' same => n,GotoIf($["${NEXT}" != ""]?${NEXT},${INCALL},1)',
    "; ...the usual routing follows. If ivr serve is down, NEXT stays empty and it simply runs.",
  ];
}

/**
 * The hook over HTTP, for PBXs that must stay on CURL: a Gosub calling getcustomerdata with
 * form fields (JSON's quotes and commas would be mangled by CURL()'s argument parsing) and
 * reading the answer with JSON_DECODE (Asterisk 16.24+). The token comes from a global
 * variable, so it is written once, in [globals], not in every context.
 */
export function curlGosub(http: string): string[] {
  return [
    "; Smart Redirect over HTTP. Put the enterprise's token in [globals]: IVR_SMART_TOKEN=<token>",
    "; and call it where the macro was called:",
    ";   exten => _X.,1,Set(INCALL=${EXTEN})",
    ";    same => n,Gosub(ivr-smart-lookup,s,1(${CALLERID(num)},${EXTEN}))",
    ';    same => n,GotoIf($["${NEXT}" != ""]?${NEXT},${INCALL},1)',
    "[ivr-smart-lookup]",
    "exten => s,1,Set(CURLOPT(httpheader)=Token: ${IVR_SMART_TOKEN})",
    " same => n,Set(CURLOPT(httpheader)=Content-Type: application/x-www-form-urlencoded)",
    " same => n,Set(CURLOPT(conntimeout)=1)",
    " same => n,Set(CURLOPT(httptimeout)=1)",
    ` same => n,Set(IVR_SMART=\${CURL(http://${http}/api/callevent/getcustomerdata,UniqueId=\${UNIQUEID}&Phone=\${URIENCODE(\${ARG1})}&TrunkId=\${URIENCODE(\${ARG2})}&LoadDialPlan=true)})`,
    " same => n,Set(CALLNAME=${JSON_DECODE(IVR_SMART,Name)})",
    " same => n,Set(NEXT=${JSON_DECODE(IVR_SMART,DialPlan)})",
    ' same => n,ExecIf($["${CALLNAME}" = "null"]?Set(CALLNAME=))',
    ' same => n,ExecIf($["${NEXT}" = "null"]?Set(NEXT=))',
    ' same => n,ExecIf($["${CALLNAME}" != ""]?Set(CALLERID(name)=${CALLNAME}))',
    " same => n,Return()",
  ];
}
