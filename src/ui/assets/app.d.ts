/** The page's script, embedded in the binary as text (`with { type: "text" }`): see app.js. */
declare const source: string;
export default source;
