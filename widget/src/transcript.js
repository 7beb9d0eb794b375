/*
 * "Save these answers": the conversation as a plain-text file and as a
 * printable page, each starting with the emergency numbers of the user's
 * country and the date. Every answer is saved whole (summary, the rest and
 * its organisations). Texts are escaped: nothing typed becomes HTML.
 */
var SepsisChatTranscript = (function () {
  "use strict";

  function plain(text) { return String(text || "").replace(/\*\*([^*]+)\*\*/g, "$1"); }

  function cardLine(card, labels) {
    var parts = [card.name + (card.what ? ": " + card.what : "")];
    if (card.phone) {
      var phones = card.phone + (card.phone_alt ? " " + labels.or + " " + card.phone_alt : "");
      parts.push(labels.phone + ": " + phones + (card.hours ? " (" + card.hours + ")" : "") + ".");
    }
    if (card.url) parts.push(card.url);
    if (card.chat_url) parts.push(card.chat_url);
    return "- " + parts.join(" ");
  }

  /* [{who, paragraphs}] of the messages, in order. */
  function entries(messages, labels) {
    return messages.map(function (message) {
      var paragraphs = [];
      if (message.summary) paragraphs.push(plain(message.summary));
      if (message.cards && message.cards.length && !message.summary) paragraphs.push(plain(message.text).split("\n")[0]);
      else paragraphs.push(plain(message.text));
      if (message.cards && message.cards.length) {
        if (message.summary) paragraphs.push(labels.whereHelp);
        paragraphs.push(message.cards.map(function (card) { return cardLine(card, labels); }).join("\n"));
      }
      var who = message.from === "user" ? labels.you : (message.kind ? labels[message.kind] : labels.bot);
      return { who: who, paragraphs: paragraphs.filter(Boolean) };
    });
  }

  function asText(doc) {
    var lines = [doc.title, doc.savedOn, "", doc.emergencyHeading.toUpperCase(), doc.emergency, "", doc.intro, ""];
    entries(doc.messages, doc.labels).forEach(function (entry) {
      lines.push(entry.who + ":", entry.paragraphs.join("\n\n"), "");
    });
    return lines.join("\n");
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function paragraph(text) {
    var lines = text.split("\n");
    if (lines.every(function (line) { return /^- /.test(line); })) {
      return "<ul>" + lines.map(function (line) { return "<li>" + escape(line.slice(2)) + "</li>"; }).join("") + "</ul>";
    }
    return "<p>" + lines.map(escape).join("<br>") + "</p>";
  }

  function asPage(doc) {
    var body = entries(doc.messages, doc.labels).map(function (entry) {
      return "<section><h2>" + escape(entry.who) + "</h2>" +
        entry.paragraphs.map(function (p) { return p.split(/\n{2,}/).map(paragraph).join(""); }).join("") + "</section>";
    }).join("\n");
    return "<!doctype html>\n<html lang=\"" + escape(doc.language) + "\"><head><meta charset=\"utf-8\">" +
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(doc.title) + "</title>" +
      "<style>body{font:1.125rem/1.6 system-ui,Arial,sans-serif;color:#000;max-width:42rem;margin:1.5rem auto;padding:0 1rem}" +
      ".sc-emergency{border:.25rem solid #000;padding:.5rem 1rem;margin:1rem 0}h1{font-size:1.5rem}h2{font-size:1.1rem;margin:1.25rem 0 .25rem}" +
      "section{break-inside:avoid}@media print{body{margin:0}}</style></head><body>\n" +
      "<h1>" + escape(doc.title) + "</h1><p>" + escape(doc.savedOn) + "</p>\n" +
      "<div class=\"sc-emergency\"><h2>" + escape(doc.emergencyHeading) + "</h2><p>" + escape(doc.emergency) + "</p></div>\n" +
      "<p>" + escape(doc.intro) + "</p>\n" + body + "\n</body></html>\n";
  }

  function download(filename, content, type) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  return { asText: asText, asPage: asPage, download: download };
})();
