import { createHash } from "node:crypto";
import type { Context } from "hono";
import script from "./assets/app.js" with { type: "text" };
import style from "./assets/page.css" with { type: "text" };

/**
 * The page's stylesheet and script, compiled into the binary as text (no files to install,
 * nothing from a CDN). Their URLs carry a hash of the content, so a browser may keep them
 * for a year and a new version of ivr is fetched at once.
 */
export interface Asset {
  path: string;
  etag: string;
  type: string;
  body: string;
}

function asset(name: string, extension: string, type: string, body: string): Asset {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  return { path: `/ui/assets/${name}.${hash}.${extension}`, etag: `"${hash}"`, type, body };
}

export const STYLE = asset("page", "css", "text/css; charset=utf-8", style);
export const SCRIPT = asset("app", "js", "text/javascript; charset=utf-8", script);

/** The asset, or 304 when the browser already has this version. */
export function serveAsset(c: Context, { etag, type, body }: Asset, visibility: "public" | "private"): Response {
  const headers = { ETag: etag, "Cache-Control": `${visibility}, max-age=31536000, immutable`, "X-Content-Type-Options": "nosniff" };
  const match = c.req.header("if-none-match");
  if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "Content-Type": type });
}
