package fakefacebook

// scrollScript plays the part of Facebook's own JavaScript: it reads the pagination query,
// the form tokens and the feed's cursor from the page's data-sjs scripts, and when the
// reader scrolls to the bottom it POSTs the query to /api/graphql/, reads the NDJSON answer
// for its stories and next cursor, and grows the page so that the next scroll fetches the
// next page.
const scrollScript = `
(function () {
  var query = null, dtsg = "", lsd = "", user = "", cursor = null, hasNext = false, loading = false;
  function walk(v, f) {
    if (v === null || typeof v !== "object") return;
    f(v);
    for (var k in v) walk(v[k], f);
  }
  function token(name, v) {
    return Array.isArray(v) && v[0] === name && v[2] ? v[2] : null;
  }
  document.querySelectorAll("script[data-sjs]").forEach(function (s) {
    walk(JSON.parse(s.textContent), function (o) {
      var t;
      if (o.queryName === "GroupsCometFeedRegularStoriesPaginationQuery") query = o;
      if ((t = token("DTSGInitialData", o))) dtsg = t.token;
      if ((t = token("LSD", o))) lsd = t.token;
      if ((t = token("CurrentUserInitialData", o))) user = t.USER_ID;
      if (o.data && o.data.page_info) {
        cursor = o.data.page_info.end_cursor;
        hasNext = !!o.data.page_info.has_next_page;
      }
    });
  });
  var stories = document.getElementById("stories"), spacer = document.getElementById("spacer");
  function load() {
    if (loading || !hasNext || !query) return;
    loading = true;
    var vars = Object.assign({}, query.variables, {cursor: cursor});
    var body = new URLSearchParams({
      av: user, __user: user, __a: "1", fb_dtsg: dtsg, lsd: lsd, fb_api_caller_class: "RelayModern",
      fb_api_req_friendly_name: query.queryName, variables: JSON.stringify(vars),
      server_timestamps: "true", doc_id: query.queryID
    });
    fetch("/api/graphql/", {method: "POST", body: body, credentials: "include"})
      .then(function (r) { return r.text(); })
      .then(function (text) {
        hasNext = false;
        text.replace(/^for \(;;\);/, "").split("\n").forEach(function (line) {
          if (!line.trim()) return;
          walk(JSON.parse(line), function (o) {
            if (o.__typename === "Story" && o.post_id) {
              var div = document.createElement("div");
              div.setAttribute("role", "article");
              div.textContent = o.comet_sections.content.story.message.text;
              stories.appendChild(div);
            }
            if (o.page_info) {
              cursor = o.page_info.end_cursor;
              hasNext = !!o.page_info.has_next_page;
            }
          });
        });
        spacer.style.height = (spacer.offsetHeight + 3000) + "px";
        loading = false;
      })
      .catch(function () { loading = false; });
  }
  // Like Facebook's, the page asks for other things than its feed: not pages of it.
  fetch("/api/graphql/", {method: "POST", credentials: "include", body: new URLSearchParams({
    av: user, __a: "1", fb_dtsg: dtsg, fb_api_req_friendly_name: "CometNotificationsDropdownQuery",
    variables: "{}", doc_id: "5000000000000001"
  })});
  window.addEventListener("scroll", function () {
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 100) load();
  });
})();
`
