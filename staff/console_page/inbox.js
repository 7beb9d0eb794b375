// Staff inbox: lists the messages (inbox/messages), opens one, marks it
// contacted or closed, shows the audit log. Every server text is put in the
// page with textContent, never as HTML: a message is shown as the user typed it.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const CONTACT = { phone: "phone", email: "e-mail", none: "no contact wanted" };
  let login = { role: "reader", can_handle: false };
  let current = null; // the message shown

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function when(iso) {
    if (!iso) return "";
    const time = new Date(iso);
    return Number.isNaN(time.getTime()) ? String(iso)
      : time.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }

  async function call(url, options) {
    const reply = await fetch(url, { headers: { Accept: "application/json" }, ...options });
    const body = await reply.json().catch(() => ({ error: `the server answered ${reply.status}` }));
    if (!reply.ok) throw new Error(body.error || `the server answered ${reply.status}`);
    return body;
  }

  function showLogin() {
    $("login").textContent = login.can_handle
      ? `Logged in as ${login.user} (staff): you can read and handle messages.`
      : `Logged in as ${login.user} (read only): you can read messages, not mark them.`;
  }

  function row(message) {
    const tr = el("tr");
    const urgency = el("td");
    if (message.urgent) urgency.append(el("span", "Urgent", "badge urgent"));
    const open = el("button", message.reference, "link");
    open.type = "button";
    open.addEventListener("click", () => openMessage(message.id));
    const reference = el("td");
    reference.append(open);
    tr.append(urgency, reference, el("td", when(message.created_at)),
      el("td", `${message.country} / ${message.language}`),
      el("td", CONTACT[message.contact_method] || message.contact_method),
      el("td", message.status), el("td", message.preview, "said"));
    if (message.urgent) tr.className = "urgent-row";
    return tr;
  }

  async function loadList() {
    const status = $("filter-status").value;
    $("list-status").textContent = "Loading messages…";
    try {
      const body = await call(`inbox/messages?status=${encodeURIComponent(status)}`);
      login = body.login;
      showLogin();
      $("message-rows").replaceChildren(...body.messages.map(row));
      $("messages").hidden = !body.messages.length;
      const shown = status === "all" ? "" : ` ${status}`;
      $("list-status").textContent = body.messages.length
        ? `${body.messages.length}${shown} message${body.messages.length === 1 ? "" : "s"}.`
        : `No${shown} messages.`;
    } catch (error) {
      $("login").textContent = "";
      $("messages").hidden = true;
      $("list-status").textContent = `Could not load the messages: ${error.message}`;
    }
  }

  function fact(list, term, value) {
    list.append(el("dt", term), el("dd", value === null || value === undefined || value === "" ? "–" : value));
  }

  function showMessage(message) {
    current = message;
    $("message-title").textContent = `Message ${message.reference}` + (message.urgent ? " (urgent)" : "");
    const facts = $("message-facts");
    facts.replaceChildren();
    fact(facts, "Received", when(message.created_at));
    fact(facts, "Urgent", message.urgent ? "yes: a red flag or crisis came up in the form" : "no");
    fact(facts, "Country / language", `${message.country} / ${message.language}`);
    fact(facts, "Contact by", CONTACT[message.contact_method] || message.contact_method);
    fact(facts, "Contact", message.contact);
    fact(facts, "Best time", message.best_time);
    fact(facts, "Status", message.status);
    fact(facts, "Note", message.status_note);
    fact(facts, "Handled by", message.handled_by ? `${message.handled_by}, ${when(message.handled_at)}` : "");
    $("message-text").textContent = message.text;

    const talk = message.conversation;
    $("conversation-note").textContent = talk.kept
      ? (talk.omitted ? `The last ${talk.turns.length} turns (${talk.omitted} earlier ones left out).`
        : `${talk.turns.length} turns.`)
      : `The conversation: ${talk.note}.`;
    $("conversation").replaceChildren(...talk.turns.map((turn) => {
      const item = el("li", null, `turn ${turn.who}`);
      item.append(el("span", turn.who === "user" ? "User" : "Assistant", "who"),
        el("span", ` ${when(turn.at)}`, "at"), el("div", turn.text, "said"));
      return item;
    }));
    $("conversation").hidden = !talk.turns.length;

    $("reader-note").hidden = login.can_handle;
    $("handle-form").hidden = !login.can_handle;
    $("handle-status").textContent = "";
    $("message").hidden = false;
  }

  async function openMessage(id) {
    $("list-status").textContent = "Opening the message…";
    try {
      showMessage(await call(`inbox/messages/${encodeURIComponent(id)}`));
      $("list-status").textContent = "";
      $("message-title").focus();
    } catch (error) {
      $("list-status").textContent = `Could not open the message: ${error.message}`;
    }
  }

  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadList();
  });

  $("handle-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = event.submitter && event.submitter.value;
    if (!current || !status) return;
    $("handle-status").textContent = "Saving…";
    try {
      const body = await call(`inbox/messages/${encodeURIComponent(current.id)}/status`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ status, note: $("note").value }),
      });
      showMessage({ ...current, status: body.status, status_note: body.note, handled_by: body.handled_by,
        handled_at: new Date().toISOString() });
      $("note").value = "";
      $("handle-status").textContent = `Marked ${body.status}.`;
      loadList();
    } catch (error) {
      $("handle-status").textContent = `Could not save: ${error.message}`;
    }
  });

  $("audit-load").addEventListener("click", async () => {
    $("audit-status").textContent = "Loading the audit log…";
    try {
      const body = await call("inbox/audit");
      $("audit-rows").replaceChildren(...body.entries.map((entry) => {
        const tr = el("tr");
        tr.append(el("td", when(entry.at)), el("td", entry.user), el("td", entry.role),
          el("td", entry.action + (entry.detail ? `: ${entry.detail}` : "")),
          el("td", entry.reference || (entry.message_id ? `#${entry.message_id}` : "")));
        return tr;
      }));
      $("audit").hidden = !body.entries.length;
      $("audit-status").textContent = body.entries.length ? "" : "Nothing recorded yet.";
    } catch (error) {
      $("audit-status").textContent = `Could not load the audit log: ${error.message}`;
    }
  });

  loadList();
})();
