#include "resilient/whip/http.h"

#include "resilient/whip/retryafter.h"
#include "resilient/whip/url.h"

#include <algorithm>
#include <cctype>

namespace resilient::whip {

const char *
outcome_name (Outcome o)
{
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::OkLegacy: return "ok-legacy";
    case Outcome::Redirect: return "redirect";
    case Outcome::Retry: return "retry";
    case Outcome::Refused: return "refused";
    case Outcome::AuthFailed: return "auth-failed";
    case Outcome::SessionGone: return "session-gone";
    case Outcome::TrickleUnsupported: return "trickle-unsupported";
    case Outcome::EtagMismatch: return "etag-mismatch";
    case Outcome::CounterOffer: return "counter-offer";
    case Outcome::Ignored: return "ignored";
  }
  return "unknown";
}

const char *
severity_name (Severity s)
{
  switch (s) {
    case Severity::None: return "none";
    case Severity::Transient: return "transient";
    case Severity::Fatal: return "fatal";
  }
  return "unknown";
}

const char *
request_name (Request r)
{
  switch (r) {
    case Request::Options: return "OPTIONS";
    case Request::Post: return "POST";
    case Request::TricklePatch: return "trickle PATCH";
    case Request::IceRestartPatch: return "ICE restart PATCH";
    case Request::AnswerPatch: return "answer PATCH";
    case Request::Delete: return "DELETE";
  }
  return "request";
}

std::string
media_type (const std::string &ct)
{
  std::string t = ct.substr (0, ct.find (';'));
  auto b = t.find_first_not_of (" \t");
  auto e = t.find_last_not_of (" \t");
  if (b == std::string::npos)
    return {};
  t = t.substr (b, e - b + 1);
  std::transform (t.begin (), t.end (), t.begin (),
      [](unsigned char c) { return std::tolower (c); });
  return t;
}

namespace {

/* Just enough JSON to read the top-level string members of an object. */
class Json
{
public:
  explicit Json (const std::string &s) : s_ (s) {}

  bool top_string (const std::string &key, std::string &out)
  {
    i_ = 0;
    ws ();
    if (!eat ('{'))
      return false;
    while (true) {
      ws ();
      if (eat ('}'))
        return false;
      std::string k;
      if (!string (k))
        return false;
      ws ();
      if (!eat (':'))
        return false;
      ws ();
      if (peek () == '"') {
        std::string v;
        if (!string (v))
          return false;
        if (k == key) {
          out = v;
          return true;
        }
      } else if (!skip_value ()) {
        return false;
      }
      ws ();
      if (eat (','))
        continue;
      return false;
    }
  }

private:
  char peek () const { return i_ < s_.size () ? s_[i_] : '\0'; }
  bool eat (char c)
  {
    if (peek () != c)
      return false;
    i_++;
    return true;
  }
  void ws ()
  {
    while (i_ < s_.size () && std::isspace ((unsigned char) s_[i_]))
      i_++;
  }
  static int hex_digit (char c)
  {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }
  bool string (std::string &out)
  {
    if (!eat ('"'))
      return false;
    while (i_ < s_.size ()) {
      char c = s_[i_++];
      if (c == '"')
        return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size ())
        return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': case 'f': out += ' '; break;
        case 'u': {
          /* exactly four hex digits (std::stoul would throw on "\u\x8c"
           * and accept " 12f", "-001" or "0x1f": fuzz finding) */
          if (i_ + 4 > s_.size ())
            return false;
          unsigned cp = 0;
          for (int n = 0; n < 4; n++) {
            int h = hex_digit (s_[i_++]);
            if (h < 0)
              return false;
            cp = cp << 4 | static_cast<unsigned> (h);
          }
          /* UTF-8 for the BMP; surrogates become '?' */
          if (cp < 0x80) {
            out += (char) cp;
          } else if (cp < 0x800) {
            out += (char) (0xC0 | (cp >> 6));
            out += (char) (0x80 | (cp & 0x3F));
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            out += '?';
          } else {
            out += (char) (0xE0 | (cp >> 12));
            out += (char) (0x80 | ((cp >> 6) & 0x3F));
            out += (char) (0x80 | (cp & 0x3F));
          }
          break;
        }
        default: out += e;
      }
    }
    return false;
  }
  bool skip_value ()
  {
    int depth = 0;
    while (i_ < s_.size ()) {
      char c = peek ();
      if (c == '"') {
        std::string dummy;
        if (!string (dummy))
          return false;
        if (depth == 0)
          return true;
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0)
          return true;
        depth--;
        if (depth == 0) {
          i_++;
          return true;
        }
      } else if (depth == 0 && (c == ',' )) {
        return true;
      }
      i_++;
    }
    return false;
  }

  const std::string &s_;
  std::size_t i_ = 0;
};

std::string
printable (const std::string &s, std::size_t max)
{
  std::string out;
  for (unsigned char c : s) {
    if (out.size () >= max) {
      out += "...";
      break;
    }
    out += (c < 0x20 || c == 0x7f) ? ' ' : (char) c;
  }
  auto e = out.find_last_not_of (' ');
  return e == std::string::npos ? std::string () : out.substr (0, e + 1);
}

}  // namespace

void
extract_problem (const HttpResponse &resp, std::string &title,
    std::string &detail)
{
  title.clear ();
  detail.clear ();
  std::string mt = media_type (resp.content_type);
  if (mt == "application/problem+json" || mt == "application/json") {
    Json j (resp.body);
    std::string t, d;
    if (j.top_string ("title", t))
      title = printable (t, 200);
    if (j.top_string ("detail", d))
      detail = printable (d, 400);
    return;
  }
  if (mt.rfind ("text/", 0) == 0)
    detail = printable (resp.body, 200);
}

static Verdict
make (Outcome o, Severity s, const HttpResponse &r, std::string msg)
{
  Verdict v;
  v.outcome = o;
  v.severity = s;
  v.status = r.status;
  v.message = std::move (msg);
  extract_problem (r, v.problem_title, v.problem_detail);
  if (!v.problem_title.empty () || !v.problem_detail.empty ()) {
    v.message += " (";
    v.message += v.problem_title;
    if (!v.problem_title.empty () && !v.problem_detail.empty ())
      v.message += ": ";
    v.message += v.problem_detail + ")";
  }
  return v;
}

Verdict
classify (Protocol protocol, Request req, const HttpResponse &r,
    std::int64_t now)
{
  const int st = r.status;
  const std::string what = std::string (request_name (req)) + " answered "
      + std::to_string (st);
  const bool whep = protocol == Protocol::Whep;

  if (req == Request::Options) {
    if (st >= 200 && st < 300)
      return make (Outcome::Ok, Severity::None, r, what);
    return make (Outcome::Ignored, Severity::None, r,
        what + ": going on without server ICE servers");
  }

  /* 2xx */
  if (st >= 200 && st < 300) {
    switch (req) {
      case Request::Post: {
        if (st == 201) {
          if (r.location.empty ())
            return make (Outcome::Refused, Severity::Fatal, r,
                what + " without a Location header: the server is not "
                "WHIP/WHEP conformant");
          if (r.body.empty ())
            return make (Outcome::Refused, Severity::Fatal, r,
                what + " without an SDP answer");
          return make (Outcome::Ok, Severity::None, r, what);
        }
        if (!r.body.empty () && !r.location.empty ()) {
          Verdict v = make (Outcome::OkLegacy, Severity::None, r,
              what + " instead of 201: accepted as a legacy server");
          v.warning = true;
          return v;
        }
        return make (Outcome::Refused, Severity::Fatal, r,
            what + " without " + (r.location.empty () ? "a Location header"
                : "an SDP answer") + ": expected 201 with an answer");
      }
      case Request::IceRestartPatch:
        if (st == 204)
          return make (Outcome::Refused, Severity::Transient, r,
              what + " without an answer: no ICE restart");
        return make (Outcome::Ok, Severity::None, r, what);
      default:
        return make (Outcome::Ok, Severity::None, r, what);
    }
  }

  /* 3xx */
  if (st >= 300 && st < 400) {
    if (req == Request::Post && (st == 307 || st == 308)) {
      if (r.location.empty ())
        return make (Outcome::Refused, Severity::Fatal, r,
            what + " without a Location header");
      return make (Outcome::Redirect, Severity::None, r, what);
    }
    if (req == Request::Post && (st == 301 || st == 302 || st == 303))
      return make (Outcome::Refused, Severity::Fatal, r,
          what + (r.location.empty () ? std::string () :
              " to " + r.location)
          + ": refused, a WHIP/WHEP server must redirect with 307 or 308 "
          "(following it would turn the POST into a GET); configure the "
          "final URL");
    return make (Outcome::Refused,
        req == Request::Delete ? Severity::None : Severity::Fatal, r,
        what + ": redirects are only followed for the POST");
  }

  auto with_retry = [&] (Verdict v) {
    if (auto ra = parse_retry_after (r.retry_after, now))
      v.retry_after = ra;
    return v;
  };

  /* session-level requests */
  if (req != Request::Post) {
    if (st == 404 || st == 410)
      return make (Outcome::SessionGone,
          req == Request::Delete ? Severity::None : Severity::Transient, r,
          what + ": the session is gone");
    if (req == Request::TricklePatch
        && (st == 405 || st == 415 || st == 422 || st == 501))
      return make (Outcome::TrickleUnsupported, Severity::None, r,
          what + ": the server does not take trickle candidates; the "
          "session goes on without them");
    if (st == 412 || st == 428)
      return make (Outcome::EtagMismatch,
          req == Request::TricklePatch ? Severity::None : Severity::Transient,
          r, what + (st == 412 ? ": the ETag is stale" :
              ": the server wants an If-Match ETag"));
    if (st == 401 || st == 403)
      return make (Outcome::AuthFailed,
          req == Request::Delete ? Severity::None : Severity::Fatal, r,
          what + ": not authorised, check the token");
    if (st == 503 || st == 429 || st >= 500)
      return with_retry (make (Outcome::Retry,
              req == Request::Delete ? Severity::None : Severity::Transient,
              r, what));
    return make (Outcome::Refused,
        req == Request::Delete ? Severity::None :
        (req == Request::TricklePatch ? Severity::None : Severity::Fatal), r,
        what);
  }

  /* the POST */
  if (st == 401 || st == 403)
    return make (Outcome::AuthFailed, Severity::Fatal, r,
        what + ": not authorised, check the token");
  if (st == 503 || st == 429 || (whep && st == 409))
    return with_retry (make (Outcome::Retry, Severity::Transient, r,
            what + (st == 409 ? ": nothing is published on this endpoint yet"
                : st == 429 ? ": too many requests" :
                ": the server is unavailable")));
  if (st == 406 && whep && media_type (r.content_type) == "application/sdp"
      && !r.body.empty ()) {
    Verdict v = make (Outcome::CounterOffer, Severity::None, r,
        what + " with a counter-offer");
    v.valid_for = counter_offer_validity (r, now);
    return v;
  }
  if (st == 400 || st == 422 || st == 406 || st == 415)
    return make (Outcome::Refused, Severity::Fatal, r,
        what + ": the server refused the offer");
  if (st == 404)
    return make (Outcome::Refused, Severity::Fatal, r,
        what + ": no such endpoint, check the URL");
  if (st == 408)
    return with_retry (make (Outcome::Retry, Severity::Transient, r, what));
  if (st >= 500 && st < 600)
    return with_retry (make (Outcome::Retry, Severity::Transient, r,
            what + ": server error"));
  if (st >= 400 && st < 500)
    return make (Outcome::Refused, Severity::Fatal, r, what);
  return make (Outcome::Refused, Severity::Fatal, r,
      what + ": not an HTTP status a WHIP/WHEP server sends");
}

Duration
counter_offer_validity (const HttpResponse &resp, std::int64_t now_unix_s)
{
  if (auto v = parse_retry_after (resp.valid_until, now_unix_s))
    return *v;
  if (auto e = parse_http_date (resp.expires))
    return time_until (*e, now_unix_s);
  return kCounterOfferValidity;
}

Verdict
network_failure (Request request, const std::string &what)
{
  Verdict v;
  v.outcome = Outcome::Retry;
  v.severity = request == Request::Delete || request == Request::Options
      || request == Request::TricklePatch ? Severity::None :
      Severity::Transient;
  v.status = 0;
  v.message = std::string (request_name (request)) + " failed: " + what;
  return v;
}

PostExchange::PostExchange (Protocol protocol, std::string endpoint,
    int max_hops)
  : protocol_ (protocol), url_ (std::move (endpoint)), max_hops_ (max_hops)
{
}

PostExchange::Result
PostExchange::on_response (const HttpResponse &resp, std::int64_t now)
{
  Result res;
  res.verdict = classify (protocol_, Request::Post, resp, now);
  auto &v = res.verdict;
  switch (v.outcome) {
    case Outcome::Redirect: {
      std::string next = resolve_url (url_, resp.location);
      if (!is_http_url (next)) {
        v.outcome = Outcome::Refused;
        v.severity = Severity::Fatal;
        v.message += ": the redirect target is not an http(s) URL";
        return res;
      }
      if (split_url (url_).scheme == "https"
          && split_url (next).scheme == "http") {
        v.outcome = Outcome::Refused;
        v.severity = Severity::Fatal;
        v.message += ": refusing a redirect from https to http (it would "
            "send the offer and token in clear)";
        return res;
      }
      if (hops_ >= max_hops_) {
        v.outcome = Outcome::Refused;
        v.severity = Severity::Fatal;
        v.message += ": too many redirects (limit " + std::to_string (max_hops_)
            + ")";
        return res;
      }
      hops_++;
      url_ = next;
      res.next_url = next;
      return res;
    }
    case Outcome::Ok:
    case Outcome::OkLegacy:
    case Outcome::CounterOffer:
      if (!resp.location.empty ())
        res.session_url = resolve_url (url_, resp.location);
      if (v.outcome == Outcome::CounterOffer && res.session_url.empty ()) {
        v.outcome = Outcome::Refused;
        v.severity = Severity::Fatal;
        v.message += " but no Location to PATCH the answer to";
        return res;
      }
      if (v.outcome != Outcome::CounterOffer
          && media_type (resp.content_type) != "application/sdp") {
        /* lenient on the type, strict on the content: the SDP check follows */
        v.warning = true;
        v.message += "; answer Content-Type is '" + resp.content_type
            + "', not application/sdp";
      }
      res.etag = resp.etag;
      res.sdp = resp.body;
      res.ice_servers = ice_servers_from_links (resp.links);
      return res;
    default:
      return res;
  }
}

}  // namespace resilient::whip
