// Type-ahead on company-name inputs (input[data-suggest]): a progressive
// enhancement. Without this script the inputs are plain text fields and the
// search page does the same search on the server. The list follows the ARIA
// combobox pattern: arrows move, Enter chooses, Escape closes, and a live
// region says how many names were found. Names arrive as pieces (matched or
// not) and are built with text nodes, so no markup from the server is parsed.
(function () {
  "use strict";
  var body = document.body;
  var words = {
    counterparty: body.getAttribute("data-suggest-counterparty") || "",
    list: body.getAttribute("data-suggest-list") || "",
    count: body.getAttribute("data-suggest-count") || "%d",
    none: body.getAttribute("data-suggest-none") || ""
  };
  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  body.appendChild(live);

  var inputs = document.querySelectorAll("input[data-suggest]");
  for (var n = 0; n < inputs.length; n++) {
    attach(inputs[n], n);
  }

  function attach(input, n) {
    var list = document.createElement("ul");
    list.id = "suggest-list-" + n;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    if (label) {
      list.setAttribute("aria-label", label.textContent.trim());
    }
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var timer = null;
    var active = -1;
    var items = [];
    var seq = 0;

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 150);
    });
    // Some input paths (on-screen keyboards, automation) deliver the Enter
    // character as its own event after keydown; the form is sent by that
    // event, so it is stopped too when keydown took the Enter.
    var enterTaken = false;
    input.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && enterTaken) {
        e.preventDefault();
      }
    });
    input.addEventListener("keyup", function (e) {
      if (e.key === "Enter") {
        enterTaken = false;
      }
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if (e.key === "ArrowDown" && input.value.trim() !== "") {
          load();
          e.preventDefault();
        }
        return;
      }
      switch (e.key) {
        case "ArrowDown":
          move(1);
          e.preventDefault();
          break;
        case "ArrowUp":
          move(-1);
          e.preventDefault();
          break;
        case "Enter":
          // With the list open, Enter picks the highlighted name or just
          // closes the list: it never sends the form by surprise.
          e.preventDefault();
          enterTaken = true;
          if (active >= 0) {
            choose(active);
          } else {
            close();
          }
          break;
        case "Escape":
          close();
          e.preventDefault();
          break;
        case "Tab":
          close();
          break;
      }
    });
    // Close a moment after the focus leaves (so that a click on a name still
    // lands), unless the focus comes back first: a close arriving after the
    // person is typing again would make their next Enter send the form.
    var blurTimer = null;
    input.addEventListener("blur", function () {
      blurTimer = setTimeout(close, 150);
    });
    input.addEventListener("focus", function () {
      clearTimeout(blurTimer);
    });
    // Keep the focus in the input while a name is clicked.
    list.addEventListener("mousedown", function (e) {
      e.preventDefault();
    });
    list.addEventListener("click", function (e) {
      var li = e.target.closest('li[role="option"]');
      if (li) {
        choose(Number(li.getAttribute("data-i")));
      }
    });

    function load() {
      var q = input.value.trim();
      if (q === "") {
        close();
        return;
      }
      var mine = ++seq;
      fetch("/ui/suggest?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (data) {
          if (mine === seq && data) {
            show(data);
          }
        })
        .catch(function () {
          close();
        });
    }

    function show(data) {
      // Keep the highlighted name highlighted when newer results still hold it.
      var kept = active >= 0 && items[active] ? items[active].name : null;
      items = (data.counterparties || []).concat(data.list_entries || []);
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      items.forEach(function (it, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-i", String(i));
        var name = document.createElement("span");
        (it.parts || [{ t: it.name }]).forEach(function (p) {
          if (p.m) {
            var m = document.createElement("mark");
            m.textContent = p.t;
            name.appendChild(m);
          } else {
            name.appendChild(document.createTextNode(p.t));
          }
        });
        li.appendChild(name);
        var tag = document.createElement("span");
        tag.className = it.kind === "list" ? "suggest-tag suggest-tag-list" : "suggest-tag";
        tag.textContent = it.kind === "list" ? words.list + (it.list ? ": " + it.list : "") : words.counterparty;
        li.appendChild(tag);
        list.appendChild(li);
      });
      if (kept !== null) {
        for (var k = 0; k < items.length; k++) {
          if (items[k].name === kept) {
            active = k;
            list.children[k].setAttribute("aria-selected", "true");
            input.setAttribute("aria-activedescendant", list.children[k].id);
            break;
          }
        }
      }
      if (items.length > 0) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        live.textContent = words.count.replace("%d", String(items.length));
      } else {
        close();
        live.textContent = words.none;
      }
    }

    function move(d) {
      if (items.length === 0) {
        return;
      }
      if (active >= 0) {
        list.children[active].setAttribute("aria-selected", "false");
      }
      active = (active + d + items.length) % items.length;
      var li = list.children[active];
      li.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", li.id);
      if (li.scrollIntoView) {
        li.scrollIntoView({ block: "nearest" });
      }
    }

    function choose(i) {
      if (items[i]) {
        input.value = items[i].name;
      }
      close();
      input.focus();
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
  }
})();
