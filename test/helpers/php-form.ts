/**
 * application/x-www-form-urlencoded with PHP's nested keys (`USER_ID[0]=11&USER_ID[1]=24`,
 * `filter[ACTIVE]=1`), as Bitrix24 and RetailCRM read their parameters.
 */
export function parsePhpForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> = out;
    parts.forEach((part, i) => {
      const key = part === "" ? String(Object.keys(node).length) : part;
      if (i === parts.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

/** An object whose keys are 0, 1, 2... is the list PHP would see. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") return Object.values(value);
  return value === undefined || value === null || value === "" ? [] : [value];
}
