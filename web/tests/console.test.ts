// Unit tests for the console's state rules (src/console/state.ts). Run: npm test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { keepTarget, transferGroups } from "../src/console/state";

test("transfer targets: grouped by team, own team first, free slots counted, full agents disabled", () => {
  const groups = transferGroups(
    [
      { user_id: 4, name: "Bob", team_id: 1, load: 0, cap: 2, free: true },
      { user_id: 5, name: "Eve", team_id: 1, load: 2, cap: 2, free: false },
      { user_id: 6, name: "Olga", team_id: 2, load: 1, cap: 3, free: true },
    ],
    1,
    { 1: "Sales", 2: "Billing" },
  );
  assert.deepEqual(groups, [
    { team_id: 1, label: "Agents in Sales (this chat's team)", options: [
      { value: "agent:4", label: "Bob (2 of 2 free)", disabled: false },
      { value: "agent:5", label: "Eve (no free slot)", disabled: true },
    ] },
    { team_id: 2, label: "Agents in Billing", options: [{ value: "agent:6", label: "Olga (2 of 3 free)", disabled: false }] },
  ]);
  assert.equal(transferGroups([{ user_id: 7, name: "Zed", team_id: 9, load: 0, cap: 1, free: true }], 1, {})[0].label, "Agents in Team 9");
  assert.equal(keepTarget("agent:4", groups), "agent:4");
  assert.equal(keepTarget("agent:5", groups), "");
  assert.equal(keepTarget("agent:8", groups), "");
  assert.equal(keepTarget("team:2", groups), "team:2");
  assert.equal(keepTarget("", groups), "");
});
