import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { parseKayentaScope } from "./kayenta-scope.ts";

describe("parseKayentaScope", () => {
  it.each(["6b9d5d4c7f", "checkout-canary-v042", "payments"])(
    "takes the bare value %s through the SLO's selection",
    (s) => {
      expect(parseKayentaScope(s, "scope")).toEqual({ kind: "value", value: s });
    },
  );

  it.each([
    [
      "app=guestbook and rollouts-pod-template-hash=abc123",
      [
        { name: "app", op: "=", value: "guestbook" },
        { name: "rollouts_pod_template_hash", op: "=", value: "abc123" },
      ],
    ],
    [
      '{app="guestbook", pod_template_hash="abc"}',
      [
        { name: "app", op: "=", value: "guestbook" },
        { name: "pod_template_hash", op: "=", value: "abc" },
      ],
    ],
    ["version == 'v2'", [{ name: "version", op: "=", value: "v2" }]],
  ])("turns the label equalities %s into matchers", (s, matchers) => {
    expect(parseKayentaScope(s, "scope")).toEqual({ kind: "labels", matchers });
  });

  it.each([
    ["", "is empty"],
    ["app!=x", "only equalities"],
    ["app=~x.*", "only equalities"],
    ["app=x and app=y", "named twice"],
    ["__name__=up", "not a usable label name"],
    ['app="a b"', "not a label value"],
    ["bad value with spaces", "not a label value"],
    ["app=x or app=y", "not a label value"],
  ])("refuses %j (%s)", (s, message) => {
    try {
      parseKayentaScope(s, "experimentScope.scope");
      throw new Error("accepted");
    } catch (e) {
      expect(isSlogateError(e) && e.code === "LABEL_INVALID").toBe(true);
      expect((e as Error).message).toContain(message);
    }
  });
});
