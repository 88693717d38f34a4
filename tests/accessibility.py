"""Accessibility checks for the browser tests (WCAG 2.2 AA).

`assert_accessible(page)` runs axe-core (vendored in static/vendor/, injected by the test,
never served to users) on the page as it stands and fails on any violation of impact serious
or critical, naming rule, element and help. The page's context must be opened with
`bypass_csp=True`: our Content Security Policy refuses the injected script, as it should.

`assert_focus_visible(page)` and `small_targets(page)` check what axe cannot see in a static
page: the focused control clear of the sticky bars (2.4.11) and every target at least
24 × 24 px (2.5.8)."""

from dataclasses import dataclass, field
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core-4.10.3" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Every WCAG 2.0–2.2 A and AA rule, and axe's best practices (judged by the same impacts).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class Tally:
    """What the checks covered, for the closing note of a run."""

    pages: list = field(default_factory=list)  # (label, viewport width)
    rules: set = field(default_factory=set)

    def line(self) -> str:
        labels = {label for label, _ in self.pages}
        widths = sorted({width for _, width in self.pages})
        return (
            f"axe-core: {len(self.pages)} page checks ({len(labels)} pages × "
            f"{'/'.join(map(str, widths))} px), {len(self.rules)} rules"
        )


TALLY = Tally()


def axe_results(page) -> dict:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            raise AssertionError("axe-core did not load: open the context with bypass_csp=True")
    return page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        TAGS,
    )


def blocking_violations(results: dict) -> list[str]:
    """One line per element of each serious or critical violation."""
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {target}: {violation['help']}"
                f" — {node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return lines


def assert_accessible(page, label: str = "") -> None:
    """No serious or critical axe violation on the page as it stands."""
    results = axe_results(page)
    rules = {r["id"] for kind in ("violations", "passes", "incomplete") for r in results[kind]}
    rules |= {r["id"] for r in results["inapplicable"]}
    TALLY.rules |= rules
    TALLY.pages.append((label or page.url, page.viewport_size["width"]))
    problems = blocking_violations(results)
    assert not problems, f"{label or page.url} at {page.viewport_size}:\n" + "\n".join(problems)


def small_targets(page, minimum: int = 24) -> list[str]:
    """Visible links, buttons and form controls smaller than `minimum` px in either direction,
    unless spaced so a `minimum` circle around each reaches no other (2.5.8's spacing
    exception), or a link inside a sentence (the inline exception)."""
    return page.evaluate(
        """(minimum) => {
        const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
        const boxes = [];
        for (const el of document.querySelectorAll(selector)) {
            const style = getComputedStyle(el);
            if (style.visibility === "hidden" || el.closest("[hidden], [inert]")) continue;
            // A visually hidden radio or checkbox is reached through its label.
            if ((el.type === "radio" || el.type === "checkbox") && el.labels && el.labels.length
                && (el.getBoundingClientRect().width < 2 || style.opacity === "0")) {
                boxes.push([el.labels[0], el.labels[0].getBoundingClientRect()]);
                continue;
            }
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            boxes.push([el, r]);
        }
        const inSentence = (el) => {
            if (el.tagName !== "A") return false;
            const parent = el.parentElement;
            const text = parent ? parent.textContent.replace(el.textContent, "").trim() : "";
            return getComputedStyle(el).display === "inline" && text.length > 0;
        };
        const centre = (r) => [r.left + r.width / 2, r.top + r.height / 2];
        // A fixed bar (the bottom navigation) floats over the page: its targets and the page's
        // meet only at one scroll position, so each is spaced against its own layer.
        const layer = (e) => { for (let a = e; a; a = a.parentElement) { if (getComputedStyle(a).position === "fixed") return a; } return null; };
        const small = [];
        for (const [el, r] of boxes) {
            if (r.width >= minimum - 0.5 && r.height >= minimum - 0.5) continue;
            if (inSentence(el)) continue;
            const [x, y] = centre(r);
            const crowded = boxes.find(([other, o]) => {
                if (other === el || other.contains(el) || el.contains(other)) return false;
                if (layer(other) !== layer(el)) return false;
                const [ox, oy] = centre(o);
                // Distance from this centre to the other's box.
                const dx = Math.max(o.left - x, 0, x - o.right);
                const dy = Math.max(o.top - y, 0, y - o.bottom);
                return Math.hypot(dx, dy) < minimum / 2 && !(ox === x && oy === y);
            });
            if (!crowded) continue;
            const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.id || "").trim().slice(0, 40);
            const near = crowded[0];
            const nearName = (near.getAttribute("aria-label") || near.textContent || near.name || near.id || "").trim().slice(0, 30);
            small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}×${Math.round(r.height)} (near ${near.tagName.toLowerCase()} "${nearName}")`);
        }
        return small;
    }""",
        minimum,
    )


def focus_hidden_by_sticky_bars(page) -> str | None:
    """Where the focused element is covered by a fixed or sticky bar, what covers it."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "nothing has focus";
        const target = (el.type === "radio" || el.type === "checkbox") && el.labels && el.labels.length
            && el.getBoundingClientRect().width < 2 ? el.labels[0] : el;
        const r = target.getBoundingClientRect();
        if (r.bottom <= 0 || r.top >= innerHeight) return `${el.id || el.name || el.tagName} is off screen`;
        for (const bar of document.querySelectorAll("body *")) {
            const position = getComputedStyle(bar).position;
            if (position !== "fixed" && position !== "sticky") continue;
            if (bar.contains(el)) continue;
            const b = bar.getBoundingClientRect();
            if (b.height === 0 || b.width === 0) continue;
            const overlap = Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top);
            const across = Math.min(r.right, b.right) - Math.max(r.left, b.left);
            if (overlap > 0 && across > 0) {
                return `${el.id || el.name || el.tagName} (${Math.round(r.top)}–${Math.round(r.bottom)}) is under ${bar.id || bar.className || bar.tagName} (${Math.round(b.top)}–${Math.round(b.bottom)})`;
            }
        }
        return null;
    }"""
    )
