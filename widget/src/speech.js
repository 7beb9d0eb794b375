/*
 * Read aloud: the browser's own speech synthesis, in the conversation's
 * language (a Dutch voice for Dutch). Nothing leaves the browser. The widget
 * hides its read-aloud buttons when the browser has no voice for the
 * language. One answer is read at a time; pause, resume and stop.
 */
var SepsisChatSpeech = (function () {
  "use strict";

  var LOCALES = { nl: "nl-NL", en: "en-GB" };

  function synth() {
    return window.speechSynthesis && window.SpeechSynthesisUtterance ? window.speechSynthesis : null;
  }

  function tag(voice) { return String(voice.lang || "").toLowerCase().replace("_", "-"); }

  /* A voice of the language, the usual country's first (nl-NL, en-GB). */
  function voiceFor(language) {
    var speech = synth();
    if (!speech || !LOCALES[language]) return null;
    var wanted = LOCALES[language].toLowerCase();
    var voices = (speech.getVoices() || []).filter(function (voice) { return tag(voice).indexOf(language) === 0; });
    voices.sort(function (a, b) { return (tag(b) === wanted) - (tag(a) === wanted); });
    return voices[0] || null;
  }

  /* onChange() is called whenever what is being read, or the voices, change. */
  function Speaker(onChange) {
    var speech = synth();
    this.current = null;
    this.onChange = onChange;
    if (speech && speech.addEventListener) speech.addEventListener("voiceschanged", onChange);
  }

  Speaker.prototype.available = function (language) { return !!voiceFor(language); };

  Speaker.prototype.speak = function (text, language, owner) {
    var speech = synth();
    var voice = voiceFor(language);
    if (!speech || !voice) return false;
    this.stop();
    var self = this;
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang || LOCALES[language];
    utterance.onend = utterance.onerror = function () {
      if (self.current && self.current.utterance === utterance) {
        self.current = null;
        self.onChange();
      }
    };
    this.current = { owner: owner, utterance: utterance, paused: false };
    speech.speak(utterance);
    this.onChange();
    return true;
  };

  Speaker.prototype.togglePause = function () {
    var speech = synth();
    if (!speech || !this.current) return;
    if (this.current.paused) speech.resume(); else speech.pause();
    this.current.paused = !this.current.paused;
    this.onChange();
  };

  Speaker.prototype.stop = function () {
    var speech = synth();
    if (!this.current) return;
    this.current = null;
    if (speech) speech.cancel();
    this.onChange();
  };

  return { Speaker: Speaker, LOCALES: LOCALES };
})();
