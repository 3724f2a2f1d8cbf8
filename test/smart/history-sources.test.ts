import { expect, test } from "bun:test";
import { phoneMatch } from "../../src/history/phone.ts";
import { insertCall } from "../../src/history/record.ts";
import { historySources } from "../../src/smart/history-sources.ts";
import { callRow, tempHistory } from "../helpers/history.ts";

/** A real history whose statements are counted as they run. */
function countedHistory() {
  const history = tempHistory();
  const runs: string[] = [];
  const prepare = history.sqlite.prepare.bind(history.sqlite);
  history.sqlite.prepare = ((sql: string) => {
    const statement = prepare(sql);
    const all = statement.all.bind(statement);
    statement.all = ((...args: Parameters<typeof all>) => {
      runs.push(sql);
      return all(...args);
    }) as typeof statement.all;
    return statement;
  }) as typeof history.sqlite.prepare;
  return { history, runs };
}

const at = (minute: number) => 1_795_000_000_000 + minute * 60_000;

test("a caller no extension ever answered: first_call gets its answer from the statement last_call read, no second one", async () => {
  const { history, runs } = countedHistory();
  insertCall(history, callRow({ externalNumber: "+375291112233", startedAt: at(1), status: "abandoned", answeredExtension: null }));
  const sources = historySources(history);
  const caller = phoneMatch("+375291112233", "BY")!;
  expect(await sources.callerName(caller)).toBeUndefined();
  expect(await sources.answeredExtension(caller, "last")).toBeUndefined();
  expect(await sources.answeredExtension(caller, "first")).toBeUndefined();
  expect(runs).toHaveLength(1);
});

test("a caller answered before: first_call still reads the oldest answered call", async () => {
  const { history, runs } = countedHistory();
  insertCall(history, callRow({ externalNumber: "+375291112233", startedAt: at(1), status: "answered", answeredExtension: "151" }));
  insertCall(history, callRow({ externalNumber: "+375291112233", startedAt: at(2), status: "answered", answeredExtension: "152" }));
  const sources = historySources(history);
  const caller = phoneMatch("+375291112233", "BY")!;
  expect(await sources.answeredExtension(caller, "last")).toBe("152");
  expect(await sources.answeredExtension(caller, "first")).toBe("151");
  expect(runs).toHaveLength(2);
});
