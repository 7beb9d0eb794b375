/*
 * Sepsis aftercare chat widget: a small, accessible chat window that talks
 * to the assistant's REST channel. No dependencies, no tracking, no CDN.
 *
 * Embed:
 *   <link rel="stylesheet" href="/sepsis-chat.css">
 *   <script src="/sepsis-chat.js" defer
 *           data-server="https://assistant.example.org"
 *           data-language="nl" data-country="NL" data-title="Vragen na sepsis"></script>
 *
 * Safety: bot and user text are never inserted as HTML. Text is split into
 * plain text, links (http/https only) and phone numbers, and built with DOM
 * nodes; phone numbers become tel: links and stay visible as text.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var STORE_KEY = "sepsisChat.v1";
  var URGENT = { utter_red_flag: "urgent", utter_red_flag_check: "urgent", utter_crisis: "crisis", utter_crisis_relative: "crisis" };

  var LABELS = {
    en: {
      open: "Chat: questions after sepsis", close: "Close chat", title: "Questions after sepsis",
      input: "Type your question", send: "Send", restart: "New conversation",
      switchTo: "Nederlands", switchLang: "nl", typing: "The assistant is typing",
      you: "You", bot: "Assistant", urgent: "Urgent: get help now", crisis: "Help is available now",
      retry: "Try again", intro: "Information, not a diagnosis. Not for emergencies.", privacy: "Privacy",
      rejected: "This message could not be sent. Please make it shorter or change it, then try again.",
      busy: "Too many messages at once. Please wait a moment, then try again.",
      error: {
        UK: "Sorry, the assistant cannot be reached right now. In an emergency call 999 or go to A&E. Not sure it is urgent? Call NHS 111. To talk about sepsis: the UK Sepsis Trust helpline 0808 800 0029 (weekdays). Struggling to cope? Samaritans 116 123.",
        NL: "Sorry, the assistant cannot be reached right now. In an emergency call 112. Not sure it is urgent? Call your huisarts or the huisartsenpost. Struggling to cope? Call 113 or 0800-0113."
      }
    },
    nl: {
      open: "Chat: vragen na sepsis", close: "Chat sluiten", title: "Vragen na sepsis",
      input: "Typ je vraag", send: "Verstuur", restart: "Nieuw gesprek",
      switchTo: "English", switchLang: "en", typing: "De assistent typt",
      you: "Jij", bot: "Assistent", urgent: "Dringend: zoek nu hulp", crisis: "Er is nu hulp",
      retry: "Opnieuw proberen", intro: "Informatie, geen diagnose. Niet voor noodgevallen.", privacy: "Privacy",
      rejected: "Dit bericht kon niet worden verstuurd. Maak het korter of pas het aan en probeer het opnieuw.",
      busy: "Te veel berichten tegelijk. Wacht even en probeer het dan opnieuw.",
      error: {
        UK: "Sorry, de assistent is nu niet bereikbaar. Bij een noodgeval: bel 999 of ga naar A&E. Twijfel je? Bel NHS 111. Praten over sepsis: de hulplijn van de UK Sepsis Trust 0808 800 0029 (op werkdagen). Zit je er doorheen? Samaritans 116 123.",
        NL: "Sorry, de assistent is nu niet bereikbaar. Bij een noodgeval: bel 112. Twijfel je? Bel je huisarts of de huisartsenpost. Zit je er doorheen? Bel 113 of 0800-0113."
      }
    }
  };

  var PHONE = /(\b0808 800 0029\b|\b0800-0113\b|\b116 123\b|\b(?:999|111|112|113)\b)/;
  var LINK = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/;

  function config() {
    var data = (script && script.dataset) || {};
    var language = (data.language || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    if (!LABELS[language]) language = "en";
    var country = (data.country || (language === "nl" ? "NL" : "UK")).toUpperCase();
    return {
      server: (data.server || "").replace(/\/$/, ""),
      /* The privacy note: data-privacy ("{lang}" is filled in), else privacy-<lang>.html next to this script. */
      privacy: data.privacy || (script && script.src ? new URL(".", script.src).href + "privacy-{lang}.html" : "privacy-{lang}.html"),
      language: language,
      country: country === "NL" ? "NL" : "UK",
      title: data.title || ""
    };
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY)) || null; } catch (e) { return null; }
  }

  function save(state) {
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* storage full or off */ }
  }

  function newSender() {
    var random = window.crypto && crypto.getRandomValues ? crypto.getRandomValues(new Uint32Array(2)) : [Date.now(), Math.random() * 1e9];
    return "web-" + random[0].toString(36) + random[1].toString(36);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* Inline text: links and phone numbers as anchors, **bold**, the rest as text. */
  function inline(text, parent) {
    var parts = text.split(/(\*\*[^*]+\*\*)/);
    parts.forEach(function (part) {
      if (/^\*\*[^*]+\*\*$/.test(part)) {
        parent.appendChild(el("strong", { text: part.slice(2, -2) }));
        return;
      }
      part.split(LINK).forEach(function (piece, i) {
        if (i % 2 === 1) {
          parent.appendChild(el("a", { href: piece, target: "_blank", rel: "noopener noreferrer", text: piece }));
          return;
        }
        piece.split(PHONE).forEach(function (bit, j) {
          if (j % 2 === 1) parent.appendChild(el("a", { href: "tel:" + bit.replace(/[^0-9+]/g, ""), class: "sc-phone", text: bit }));
          else if (bit) parent.appendChild(document.createTextNode(bit));
        });
      });
    });
  }

  /* Paragraphs, "- " lists and line breaks, built as DOM nodes. */
  function render(text) {
    var box = el("div", { class: "sc-text" });
    String(text || "").split(/\n{2,}/).forEach(function (block) {
      var lines = block.split("\n");
      var list = null;
      var paragraph = null;
      lines.forEach(function (line) {
        if (/^\s*[-•]\s+/.test(line)) {
          if (!list) { list = el("ul"); box.appendChild(list); }
          var item = el("li");
          inline(line.replace(/^\s*[-•]\s+/, ""), item);
          list.appendChild(item);
          paragraph = null;
        } else if (line.trim()) {
          list = null;
          if (paragraph) paragraph.appendChild(el("br"));
          else { paragraph = el("p"); box.appendChild(paragraph); }
          inline(line, paragraph);
        }
      });
    });
    return box;
  }

  function Widget(cfg) {
    this.cfg = cfg;
    var stored = load();
    this.state = stored || { sender: newSender(), language: cfg.language, messages: [], open: false, started: false };
    this.labels = LABELS[this.state.language] || LABELS.en;
    this.build();
    this.state.messages.forEach(this.draw, this);
    if (this.state.open) this.open(false);
  }

  Widget.prototype.build = function () {
    var self = this;
    var L = this.labels;
    this.launcher = el("button", { class: "sc-launcher", type: "button", "aria-expanded": "false", "aria-controls": "sc-panel" },
      [el("span", { class: "sc-launcher-icon", "aria-hidden": "true", text: "\uD83D\uDCAC" }), el("span", { class: "sc-launcher-label", text: L.open })]);
    this.titleNode = el("h2", { id: "sc-title", class: "sc-title", text: this.cfg.title || L.title });
    this.switchButton = el("button", { type: "button", class: "sc-switch", lang: L.switchLang, text: L.switchTo });
    this.restartButton = el("button", { type: "button", class: "sc-restart", text: L.restart });
    this.closeButton = el("button", { type: "button", class: "sc-close", "aria-label": L.close, text: "\u00D7" });
    this.introText = document.createTextNode(L.intro + " ");
    this.privacyLink = el("a", { class: "sc-privacy", target: "_blank", rel: "noopener", text: L.privacy });
    this.intro = el("p", { class: "sc-intro" }, [this.introText, this.privacyLink]);
    this.setPrivacyLink();
    this.log = el("div", { class: "sc-log", role: "log", "aria-live": "polite", "aria-labelledby": "sc-title", tabindex: "0" });
    this.typing = el("div", { class: "sc-typing", hidden: "hidden", role: "status" },
      [el("span", { class: "sc-dots", "aria-hidden": "true", text: "\u2022\u2022\u2022" }), el("span", { class: "sc-visually-hidden", text: L.typing })]);
    this.inputLabel = el("label", { for: "sc-input", class: "sc-visually-hidden", text: L.input });
    this.input = el("textarea", { id: "sc-input", class: "sc-input", rows: "2", maxlength: "5000", placeholder: L.input });
    this.sendButton = el("button", { type: "submit", class: "sc-send", text: L.send });
    this.form = el("form", { class: "sc-form" }, [this.inputLabel, this.input, this.sendButton]);
    this.panel = el("div", { id: "sc-panel", class: "sc-panel", role: "dialog", "aria-labelledby": "sc-title", hidden: "hidden" }, [
      el("div", { class: "sc-header" }, [this.titleNode, el("div", { class: "sc-tools" }, [this.switchButton, this.restartButton, this.closeButton])]),
      this.intro, this.log, this.typing, this.form
    ]);
    this.root = el("div", { class: "sc-root", lang: this.state.language }, [this.panel, this.launcher]);
    document.body.appendChild(this.root);

    this.launcher.addEventListener("click", function () { self.open(true); });
    this.closeButton.addEventListener("click", function () { self.close(); });
    this.switchButton.addEventListener("click", function () { self.switchLanguage(self.labels.switchLang); });
    this.restartButton.addEventListener("click", function () { self.restart(); });
    this.panel.addEventListener("keydown", function (event) { if (event.key === "Escape") self.close(); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.sendTyped(); });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); self.sendTyped(); }
    });
  };

  Widget.prototype.relabel = function () {
    var L = this.labels;
    this.root.setAttribute("lang", this.state.language);
    this.launcher.querySelector(".sc-launcher-label").textContent = L.open;
    this.titleNode.textContent = this.cfg.title && this.state.language === this.cfg.language ? this.cfg.title : L.title;
    this.switchButton.textContent = L.switchTo;
    this.switchButton.setAttribute("lang", L.switchLang);
    this.restartButton.textContent = L.restart;
    this.closeButton.setAttribute("aria-label", L.close);
    this.introText.textContent = L.intro + " ";
    this.privacyLink.textContent = L.privacy;
    this.setPrivacyLink();
    this.typing.querySelector(".sc-visually-hidden").textContent = L.typing;
    this.inputLabel.textContent = L.input;
    this.input.setAttribute("placeholder", L.input);
    this.sendButton.textContent = L.send;
  };

  Widget.prototype.setPrivacyLink = function () {
    this.privacyLink.setAttribute("href", this.cfg.privacy.replace("{lang}", this.state.language));
    this.privacyLink.setAttribute("hreflang", this.state.language);
  };

  Widget.prototype.open = function (focus) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.root.classList.add("sc-is-open");
    this.state.open = true;
    save(this.state);
    if (!this.state.started) {
      this.state.started = true;
      this.send("/greet", null);
    }
    if (focus) this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.root.classList.remove("sc-is-open");
    this.state.open = false;
    save(this.state);
    this.launcher.focus();
  };

  Widget.prototype.switchLanguage = function (language) {
    if (!LABELS[language] || language === this.state.language) return;
    this.state.language = language;
    this.labels = LABELS[language];
    this.relabel();
    save(this.state);
    this.send(language === "en" ? "English please" : "Nederlands graag");
  };

  Widget.prototype.restart = function () {
    this.state = { sender: newSender(), language: this.state.language, messages: [], open: true, started: true };
    this.log.textContent = "";
    save(this.state);
    this.send("/greet", null);
    this.input.focus();
  };

  Widget.prototype.sendTyped = function () {
    var text = this.input.value.trim();
    if (!text || this.busy) return;
    this.send(text, text, { echo: true, fromInput: true });
  };

  /* Post a message and draw the answers. `shown` is what the user sees as
   * their own words; opts.echo adds it to the transcript, opts.fromInput
   * empties the input box once the message got through (never before). */
  Widget.prototype.send = function (message, shown, opts) {
    var self = this;
    opts = opts || { echo: !!shown };
    if (shown && opts.echo) this.add({ from: "user", text: shown });
    this.busy = true;
    this.typing.hidden = false;
    this.clearError();
    var body = JSON.stringify({
      sender: this.state.sender, message: message,
      metadata: { language: this.state.language, country: this.cfg.country }
    });
    return fetch(this.cfg.server + "/webhooks/rest/webhook", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: body
    }).then(function (response) {
      if (response.status === 429) throw { notice: "busy" };
      if (response.status >= 400 && response.status < 500) throw { notice: "rejected" };
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (answers) {
      if (opts.fromInput) self.input.value = "";
      self.followLanguage(answers);
      answers.forEach(function (answer) {
        if (answer.text || answer.buttons) {
          self.add({ from: "bot", text: answer.text || "", buttons: answer.buttons || [], kind: URGENT[answer.response] || "" });
        }
      });
    }).catch(function (problem) {
      self.showError(message, shown, opts, problem && problem.notice);
    }).then(function () {
      self.busy = false;
      self.typing.hidden = true;
    });
  };

  /* The assistant answers in the language the user chose in the chat. */
  Widget.prototype.followLanguage = function (answers) {
    var language = answers.length && answers[answers.length - 1].language;
    if (language && LABELS[language] && language !== this.state.language) {
      this.state.language = language;
      this.labels = LABELS[language];
      this.relabel();
      save(this.state);
    }
  };

  Widget.prototype.add = function (message) {
    this.state.messages.push(message);
    save(this.state);
    this.draw(message);
  };

  Widget.prototype.draw = function (message) {
    var self = this;
    var L = this.labels;
    var item = el("div", { class: "sc-message sc-" + message.from + (message.kind ? " sc-" + message.kind : "") });
    var who = message.kind ? L[message.kind] : (message.from === "user" ? L.you : L.bot);
    item.appendChild(el("span", { class: message.kind ? "sc-badge" : "sc-visually-hidden", text: who + (message.kind ? "" : ":") }));
    item.appendChild(render(message.text));
    if (message.buttons && message.buttons.length) {
      var group = el("div", { class: "sc-buttons", role: "group" });
      message.buttons.forEach(function (button) {
        var node = el("button", { type: "button", class: "sc-choice", text: button.title });
        node.addEventListener("click", function () { if (!self.busy) self.send(button.payload, button.title); });
        group.appendChild(node);
      });
      item.appendChild(group);
    }
    this.log.appendChild(item);
    this.log.scrollTop = this.log.scrollHeight;
  };

  /* The server cannot be reached: the emergency numbers, and a retry that
   * sends the same message again (the typed text stays in the input box).
   * A refused message (4xx) or too many at once (429) says so instead. */
  Widget.prototype.showError = function (message, shown, opts, notice) {
    var self = this;
    var retry = el("button", { type: "button", class: "sc-retry", text: this.labels.retry });
    var text = notice ? this.labels[notice] : this.labels.error[this.cfg.country];
    this.error = el("div", { class: "sc-error", role: "alert" }, [render(text), retry]);
    retry.addEventListener("click", function () {
      self.send(message, shown, { echo: false, fromInput: opts.fromInput });
    });
    this.log.appendChild(this.error);
    this.log.scrollTop = this.log.scrollHeight;
  };

  Widget.prototype.clearError = function () {
    if (this.error && this.error.parentNode) this.error.parentNode.removeChild(this.error);
    this.error = null;
  };

  function start() { window.sepsisChat = new Widget(config()); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
