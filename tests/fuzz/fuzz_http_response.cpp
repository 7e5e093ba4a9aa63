/* A whole WHIP/WHEP HTTP answer as the clients see it: status, headers and
 * body, through classify() for every request kind and through the POST
 * exchange (redirects, Location, Link, ETag). Input: a status line digit
 * group followed by "Name: value" header lines, an empty line, the body. */
#include "fuzz_input.h"
#include "resilient/whip/http.h"

#include <cctype>

using namespace resilient::whip;

static std::string
lower (std::string s)
{
  for (auto &c : s)
    c = static_cast<char> (std::tolower (static_cast<unsigned char> (c)));
  return s;
}

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string text (reinterpret_cast<const char *> (data), size);
  HttpResponse r;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size ()) {
    std::size_t eol = text.find ('\n', pos);
    std::string line = text.substr (
        pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size () : eol + 1;
    if (!line.empty () && line.back () == '\r')
      line.pop_back ();
    if (first) {
      first = false;
      int status = 0;
      for (char c : line.substr (0, 3))
        if (c >= '0' && c <= '9')
          status = status * 10 + (c - '0');
      r.status = status;
      continue;
    }
    if (line.empty ()) {
      r.body = text.substr (pos);
      break;
    }
    auto colon = line.find (':');
    if (colon == std::string::npos)
      continue;
    std::string name = lower (line.substr (0, colon));
    std::string value = line.substr (colon + 1);
    while (!value.empty () && value.front () == ' ')
      value.erase (0, 1);
    if (name == "content-type")
      r.content_type = value;
    else if (name == "location")
      r.location = value;
    else if (name == "etag")
      r.etag = value;
    else if (name == "retry-after")
      r.retry_after = value;
    else if (name == "valid-until")
      r.valid_until = value;
    else if (name == "expires")
      r.expires = value;
    else if (name == "link")
      r.links.push_back (value);
  }
  for (auto proto : { Protocol::Whip, Protocol::Whep }) {
    for (auto req :
         { Request::Options, Request::Post, Request::TricklePatch,
           Request::IceRestartPatch, Request::AnswerPatch, Request::Delete }) {
      auto v = classify (proto, req, r, 1700000000);
      (void)outcome_name (v.outcome);
      (void)severity_name (v.severity);
      if (v.retry_after && v.retry_after->count () < 0)
        resilient::fuzz::fuzz_fail ("negative retry_after in a verdict");
    }
    PostExchange x (proto, "http://origin.example/whip/cam", 2);
    for (int i = 0; i < 3; i++) {
      auto res = x.on_response (r, 1700000000);
      if (res.verdict.outcome != Outcome::Redirect)
        break;
    }
  }
  return 0;
}
