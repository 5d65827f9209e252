// The canned response preview (src/console/screens/admin/canned.ts) fills what the server fills.
import { expect, it } from "vitest";
import { SAMPLE, VARIABLES, preview } from "../src/console/screens/admin/canned";

it("fills every known variable, spaces inside the braces allowed", () => {
  expect(preview("Hi {{customer.first_name}}, I'm {{ agent.name }}.").text).toBe("Hi Ada, I'm Sam Rivera.");
  for (const v of VARIABLES) expect(preview(`{{${v}}}`).text).toBe(SAMPLE[v]);
});

it("flags names that are not variables and leaves them empty, as the server would", () => {
  const out = preview("Dear {{customer.nickname}} {{customer.name}}");
  expect(out.text).toBe("Dear  Ada Lovelace");
  expect(out.unknown).toEqual(["customer.nickname"]);
});

it("leaves everything else alone, markup included", () => {
  expect(preview("<b>{not a variable}</b> {{ }}").text).toBe("<b>{not a variable}</b> {{ }}");
});
