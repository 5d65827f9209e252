// The admin forms' pure rules (src/console/screens/admin/forms.ts).
import { describe, expect, it } from "vitest";
import { afterEdit, changes, errorField, parseTags, showTags } from "../src/console/screens/admin/forms";
import { ApiError, type ErrorDetails } from "../src/shared/http";

describe("tags", () => {
  it("split on commas and spaces, lower-cased, without repeats or blanks", () => {
    expect(parseTags(" Billing, refunds  es,,billing ")).toEqual(["billing", "refunds", "es"]);
    expect(parseTags("")).toEqual([]);
    expect(showTags(["a", "b"])).toBe("a, b");
  });
});

describe("changes", () => {
  it("keeps only the fields that differ, lists compared by value", () => {
    const before = { name: "Ana", skills: ["a"], team_ids: [1, 2], is_active: true };
    expect(changes(before, { name: "Ana", skills: ["a"], team_ids: [1, 2], is_active: true })).toEqual({});
    expect(changes(before, { name: "Ana B", skills: ["a", "b"], team_ids: [1, 2], is_active: false })).toEqual({ name: "Ana B", skills: ["a", "b"], is_active: false });
  });
});

describe("errorField", () => {
  const err = (details?: ErrorDetails): ApiError => new ApiError("m", "invalid", 422, details);
  it("names the form field a server error is about", () => {
    expect(errorField(err({ fields: ["skills.0"] }))).toBe("skills");
    expect(errorField(err({ fields: ["password"] }))).toBe("password");
    expect(errorField(err({}))).toBe("");
    expect(errorField(err())).toBe("");
    expect(errorField(new TypeError("Failed to fetch"))).toBe("");
  });
  it("keeps the path within objects whose fields have inputs of their own", () => {
    expect(errorField(err({ fields: ["prechat_fields.email"] }), ["prechat_fields"])).toBe("prechat_fields.email");
    expect(errorField(err({ fields: ["prechat_fields"] }), ["prechat_fields"])).toBe("prechat_fields");
    expect(errorField(err({ fields: ["topics.3"] }), ["prechat_fields"])).toBe("topics");
    expect(errorField(err({ fields: ["prechat_fields.email"] }))).toBe("prechat_fields");
  });
});

describe("afterEdit", () => {
  it("clears the error of the field being edited and keeps any other", () => {
    const error = { field: "name", message: "A team with that name already exists." };
    expect(afterEdit(error, "name")).toBeNull();
    expect(afterEdit(error, "skills")).toBe(error);
    expect(afterEdit({ field: "", message: "Network down" }, "name")).toEqual({ field: "", message: "Network down" });
    expect(afterEdit(null, "name")).toBeNull();
  });
});
