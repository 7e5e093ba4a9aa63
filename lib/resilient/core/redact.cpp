#include "resilient/core/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace resilient {

namespace {

constexpr const char *kMask = "***";

std::string
lower (std::string_view s)
{
  std::string out (s);
  std::transform (out.begin (), out.end (), out.begin (),
                  [] (unsigned char c) { return std::tolower (c); });
  return out;
}

bool
contains_any (const std::string &s, std::initializer_list<const char *> words)
{
  for (const char *w : words)
    if (s.find (w) != std::string::npos)
      return true;
  return false;
}

bool
is_rtmp (const std::string &scheme)
{
  static constexpr std::array<std::string_view, 6> rtmp
      = { "rtmp", "rtmps", "rtmpt", "rtmpe", "rtmpte", "rtmpts" };
  return std::find (rtmp.begin (), rtmp.end (), scheme) != rtmp.end ();
}

bool
scheme_char (char c)
{
  return std::isalnum ((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

std::string
redact_query (std::string_view query)
{
  std::string result;
  bool first = true;
  while (true) {
    auto amp = query.find ('&');
    std::string_view part = query.substr (0, amp);
    if (!first)
      result += '&';
    first = false;
    auto eq = part.find ('=');
    if (eq != std::string_view::npos
        && Redact::is_secret_param (part.substr (0, eq))) {
      result += part.substr (0, eq);
      result += '=';
      result += kMask;
    } else {
      result += part;
    }
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix (amp + 1);
  }
  return result;
}

} // namespace

bool
Redact::is_secret_param (std::string_view name)
{
  static constexpr std::array<std::string_view, 19> exact
      = { "token",      "access_token", "key",        "passphrase", "password",
          "pass",       "pwd",          "secret",     "auth",       "streamkey",
          "stream_key", "sig",          "signature",  "streamid",   "apikey",
          "api_key",    "jwt",          "credential", "session" };
  std::string l = lower (name);
  if (std::find (exact.begin (), exact.end (), l) != exact.end ())
    return true;
  /* x-amz-signature, hdnts-token, my_secret, stream-key ... */
  return contains_any (l, { "token", "secret", "password", "signature",
                            "passphrase", "apikey", "api-key", "api_key",
                            "stream-key", "streamkey", "stream_key" });
}

bool
Redact::is_secret_header (std::string_view name)
{
  std::string l = lower (name);
  return l == "authorization" || l == "proxy-authorization" || l == "cookie"
         || l == "set-cookie"
         || contains_any (
             l, { "token", "secret", "password", "key", "auth", "signature" });
}

std::string
Redact::header (std::string_view name, std::string_view value)
{
  if (!is_secret_header (name))
    return text (value);
  std::string l = lower (name);
  if (l == "authorization" || l == "proxy-authorization") {
    /* keep the scheme word (Bearer, Basic) */
    auto sp = value.find (' ');
    if (sp != std::string_view::npos && sp > 0)
      return std::string (value.substr (0, sp)) + " " + kMask;
  }
  return kMask;
}

std::string
Redact::uri (std::string_view in)
{
  std::string out (in);
  auto scheme_end = out.find ("://");
  std::string scheme;
  if (scheme_end != std::string::npos) {
    scheme = lower (out.substr (0, scheme_end));
    auto auth_start = scheme_end + 3;
    auto path_start = out.find_first_of ("/?#", auth_start);
    auto at = out.rfind ('@', path_start == std::string::npos ? out.size ()
                                                              : path_start);
    if (at != std::string::npos && at >= auth_start) {
      out.replace (auth_start, at - auth_start, kMask);
    }
  }
  std::string fragment;
  /* SRT has no fragment: a streamid starts with "#!::" */
  if (auto hash = scheme == "srt" ? std::string::npos : out.find ('#');
      hash != std::string::npos) {
    fragment = out.substr (hash);
    out.resize (hash);
  }
  std::string query;
  bool has_query = false;
  if (auto q = out.find ('?'); q != std::string::npos) {
    query = out.substr (q + 1);
    out.resize (q);
    has_query = true;
  }
  if (scheme_end != std::string::npos && is_rtmp (scheme)) {
    /* rtmp://host[:port]/app/KEY[/more]: everything after the app. */
    auto host_end = out.find ('/', scheme_end + 3);
    if (host_end != std::string::npos) {
      auto app_end = out.find ('/', host_end + 1);
      if (app_end != std::string::npos && app_end + 1 < out.size ())
        out = out.substr (0, app_end + 1) + kMask;
    }
  }
  if (has_query)
    out += "?" + redact_query (query);
  /* A fragment may carry an OAuth implicit-grant token. */
  if (!fragment.empty ())
    out += fragment.find ('=') != std::string::npos
               ? "#" + redact_query (std::string_view (fragment).substr (1))
               : fragment;
  return out;
}

std::string
Redact::text (std::string_view text)
{
  std::string out;
  std::size_t i = 0;
  while (i < text.size ()) {
    std::size_t sep = text.find ("://", i);
    std::size_t bearer = std::string_view::npos;
    for (const char *word : { "Bearer ", "bearer ", "Basic ", "basic " }) {
      auto b = text.find (word, i);
      if (b != std::string_view::npos
          && (bearer == std::string_view::npos || b < bearer))
        bearer = b;
    }
    if (bearer != std::string_view::npos
        && (sep == std::string_view::npos || bearer < sep)) {
      std::size_t tok = text.find (' ', bearer) + 1;
      std::size_t end = tok;
      while (end < text.size () && !std::isspace ((unsigned char)text[end])
             && text[end] != '"' && text[end] != '\'' && text[end] != ','
             && text[end] != ';' && text[end] != ')')
        end++;
      out += text.substr (i, tok - i);
      if (end > tok)
        out += kMask;
      i = end;
      continue;
    }
    if (sep == std::string_view::npos) {
      out += text.substr (i);
      break;
    }
    std::size_t start = sep;
    while (start > i && scheme_char (text[start - 1]))
      start--;
    std::size_t end = sep + 3;
    while (end < text.size () && !std::isspace ((unsigned char)text[end])
           && text[end] != '"' && text[end] != '\'' && text[end] != '>'
           && text[end] != '<' && text[end] != ')' && text[end] != ']'
           && text[end] != ',' && text[end] != ';')
      end++;
    /* sentence punctuation after a URI is not part of it */
    std::size_t stop = end;
    while (stop > sep + 3
           && std::string_view (".:!?").find (text[stop - 1])
                  != std::string_view::npos)
      stop--;
    out += text.substr (i, start - i);
    out += uri (text.substr (start, stop - start));
    out += text.substr (stop, end - stop);
    i = end;
  }
  return out;
}

} // namespace resilient
