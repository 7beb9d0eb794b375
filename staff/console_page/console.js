// Staff console: sends the message to ./check and shows the result.
// Every server text is put in the page with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("check-form");
  const percent = (x) => `${(x * 100).toFixed(1)}%`;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(result) {
    $("detected").textContent = result.detected_language
      ? `${result.detected_language} (answered in ${result.answer_language || "?"})`
      : `none detected (answered in ${result.answer_language || "?"})`;
    $("topic").textContent = `${result.topic} – confidence ${percent(result.confidence)}`;
    $("candidates").replaceChildren(...(result.candidates.length
      ? result.candidates.map((c) => el("li", `${c.name} – ${percent(c.confidence)}`))
      : [el("li", "none")]));

    const safety = $("safety");
    safety.replaceChildren();
    safety.className = "";
    if (result.safety_fired) {
      safety.className = "alert";
      const words = result.safety_words.map((w) => `“${w.text}” (${w.sign})`).join(", ");
      safety.append(`fired: ${result.safety_fired}, on ${words || "the classifier"}`);
    } else {
      safety.append(result.topic === "red_flag" || result.topic === "crisis"
        ? `did not fire; the classifier alone chose ${result.topic}` : "did not fire");
    }
    for (const set of result.safety_ignored) {
      safety.append(el("div", `set aside: “${set.text}” (${set.sign}, ${set.ignored_because})`));
    }

    const server = result.action_server;
    const actions = $("actions");
    actions.className = "";
    if (server.reachable) {
      actions.textContent = `reachable (${server.url})` +
        (server.used_by.length ? `; used by ${server.used_by.join(", ")}` : "");
    } else {
      actions.textContent = `DOWN: ${server.error}` + (server.used_by.length
        ? `. Answers from ${server.used_by.join(", ")} are missing below.` : ". Not needed for this answer.");
      if (server.used_by.length) actions.className = "alert";
    }

    $("answer").replaceChildren(...result.messages.map((message) => {
      const item = el("li", message.text);
      if (message.buttons.length) {
        const list = el("ul");
        message.buttons.forEach((b) => list.append(el("li", `button: ${b.title} → ${b.payload}`)));
        item.append(list);
      }
      if (message.links.length) {
        const list = el("ul");
        message.links.forEach((link) => list.append(el("li", `link: ${link}`)));
        item.append(list);
      }
      return item;
    }));
    if (!result.messages.length) $("answer").replaceChildren(el("li", "(no answer)"));
    $("details").hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("status");
    status.textContent = "Checking…";
    $("details").hidden = true;
    try {
      const reply = await fetch("check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: $("text").value, language: $("language").value,
          country: $("country").value || null }),
      });
      const body = await reply.json().catch(() => ({ error: `the server answered ${reply.status}` }));
      if (!reply.ok) throw new Error(body.error || `the server answered ${reply.status}`);
      status.textContent = `Checked: “${body.text}” (${body.language}, ${body.country}).`;
      show(body);
    } catch (error) {
      status.textContent = `Could not check: ${error.message}`;
    }
  });
})();
