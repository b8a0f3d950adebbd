/* Send forms: the live count of characters, parts and cost; picking contacts; filling a template.
 *
 * The count follows payamak.messaging.text.info: GSM-7 when every character is in the GSM 03.38
 * alphabet (extension characters count two), else UCS-2 counted in UTF-16 units; one part holds
 * 160/70 units, a longer text 153/67 a part, and a two-unit character is never cut between parts.
 * The alphabet and part sizes come from the server (data attributes), so both count alike.
 * No framework; htmx (loaded by the layout) refreshes the recipient count.
 */
(function (root) {
  "use strict";

  function smsInfo(text, alphabet, extension, limits) {
    var chars = Array.from(text);
    var gsm = chars.every(function (c) { return alphabet.has(c) || extension.has(c); });
    var encoding = gsm ? "gsm7" : "ucs2";
    var units = chars.map(function (c) {
      if (gsm) { return extension.has(c) ? 2 : 1; }
      return c.codePointAt(0) > 0xffff ? 2 : 1;
    });
    var total = units.reduce(function (a, b) { return a + b; }, 0);
    var parts = 0;
    var last = 0;
    if (total > 0 && total <= limits.single[encoding]) {
      parts = 1;
      last = total;
    } else if (total > 0) {
      var limit = limits.multi[encoding];
      parts = 1;
      units.forEach(function (u) {
        if (last + u > limit) { parts += 1; last = 0; }
        last += u;
      });
    }
    var perPart = (parts <= 1 ? limits.single : limits.multi)[encoding];
    return { encoding: encoding, length: chars.length, units: total, parts: parts, perPart: perPart, remaining: perPart - last };
  }

  function localDigits(text, locale) {
    return locale === "fa" ? String(text).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; }) : String(text);
  }

  function money(amount, locale) {
    var grouped = String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, locale === "fa" ? "\u066c" : ",");
    return localDigits(grouped, locale);
  }

  function setupMeter(meter) {
    var form = meter.closest("form");
    var text = form.querySelector("textarea[name=text]");
    var line = form.querySelector("select[name=line_id]");
    var prices = JSON.parse(meter.dataset.prices || "{}");
    var limits = JSON.parse(meter.dataset.limits);
    var alphabet = new Set(Array.from(JSON.parse(meter.dataset.gsm || "\"\"")));
    var extension = new Set(Array.from(JSON.parse(meter.dataset.gsmExt || "\"\"")));
    var locale = meter.dataset.locale;
    var balance = Number(meter.dataset.balance || 0);
    var countFrom = meter.dataset.countFrom;

    function show(selector, value) {
      var el = meter.querySelector(selector);
      if (el) { el.textContent = value; }
    }

    function recipients() {
      if (!countFrom) { return 1; }
      var el = document.querySelector(countFrom);
      return el ? Number(el.dataset.count || 0) : 0;
    }

    function update() {
      var info = smsInfo(text.value, alphabet, extension, limits);
      var option = line ? line.options[line.selectedIndex] : null;
      var kind = option ? option.dataset.kind : "";
      var perPart = kind && prices[kind] ? prices[kind][info.encoding] || 0 : 0;
      var count = recipients();
      var cost = perPart * info.parts * count;
      show(".sms-chars", localDigits(info.length, locale));
      show(".sms-parts", localDigits(info.parts, locale));
      show(".sms-remaining", localDigits(info.remaining, locale));
      show(".sms-per-part", money(perPart, locale));
      show(".sms-cost", money(cost, locale));
      meter.querySelectorAll("[data-encoding]").forEach(function (el) { el.hidden = el.dataset.encoding !== info.encoding; });
      var warning = meter.querySelector(".sms-over-balance");
      if (warning) { warning.hidden = cost <= balance; }
      meter.dataset.parts = info.parts;
      meter.dataset.cost = cost;
    }

    text.addEventListener("input", update);
    if (line) { line.addEventListener("change", update); }
    document.addEventListener("htmx:afterSettle", update);
    meter.update = update;
    update();
  }

  function setupTemplates(select) {
    var text = select.closest("form").querySelector("textarea[name=text]");
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && option.dataset.text) {
        text.value = option.dataset.text;
        text.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  function setupContacts(box) {
    var search = box.querySelector("input[type=search]");
    var picked = box.querySelector(".picked-contacts");
    var refresh = function () { picked.dispatchEvent(new Event("recipients-changed", { bubbles: true })); };
    // Enter in the search box must not send the form.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    box.addEventListener("click", function (event) {
      var pick = event.target.closest(".pick-contact");
      if (pick) {
        if (!picked.querySelector("input[name=contact][value='" + pick.dataset.value + "']")) {
          var item = document.createElement("li");
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "contact"; input.value = pick.dataset.value;
          var label = document.createElement("input");
          label.type = "hidden"; label.name = "contact_label"; label.value = pick.dataset.label;
          var name = document.createElement("span");
          name.textContent = pick.dataset.label;
          var remove = document.createElement("button");
          remove.type = "button"; remove.className = "small link unpick-contact"; remove.textContent = "×";
          remove.setAttribute("aria-label", box.dataset.removeLabel || "×");
          item.append(input, label, name, " ", remove);
          picked.append(item);
          refresh();
        }
        return;
      }
      var unpick = event.target.closest(".unpick-contact");
      if (unpick) {
        unpick.closest("li").remove();
        refresh();
      }
    });
  }

  function setupFileLimit(input) {
    // The server refuses a larger file too, but only after it has all been sent.
    var max = Number(input.dataset.maxBytes);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > max ? input.dataset.tooLarge : "");
      input.reportValidity();
    });
  }

  root.payamakSmsInfo = smsInfo;
  if (typeof module !== "undefined" && module.exports) {
    module.exports = { smsInfo: smsInfo, money: money, localDigits: localDigits };
    return;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".sms-meter").forEach(setupMeter);
    document.querySelectorAll("select.template-pick").forEach(setupTemplates);
    document.querySelectorAll(".contact-picker").forEach(setupContacts);
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(setupFileLimit);
  });
})(typeof window !== "undefined" ? window : globalThis);
