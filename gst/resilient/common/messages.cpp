#include "common/messages.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace resilient::gst {

void
post_element_message (GstElement * element, GstStructure * s)
{
  gst_element_post_message (element,
      gst_message_new_element (GST_OBJECT_CAST (element), s));
}

static bool
is_secret_key (std::string_view key)
{
  static constexpr std::array<std::string_view, 8> secrets = {
    "token", "access_token", "key", "passphrase", "password", "secret",
    "auth", "streamkey"
  };
  std::string lower (key);
  std::transform (lower.begin (), lower.end (), lower.begin (),
      [](unsigned char c) { return std::tolower (c); });
  return std::find (secrets.begin (), secrets.end (), lower) != secrets.end ();
}

std::string
redact_uri (const std::string & uri)
{
  std::string out = uri;
  /* user:password@ */
  auto scheme_end = out.find ("://");
  if (scheme_end != std::string::npos) {
    auto auth_start = scheme_end + 3;
    auto path_start = out.find_first_of ("/?#", auth_start);
    auto at = out.rfind ('@', path_start == std::string::npos ?
        out.size () : path_start);
    if (at != std::string::npos && at >= auth_start)
      out.replace (auth_start, at - auth_start, "***");
  }
  /* secret query parameters */
  auto q = out.find ('?');
  if (q == std::string::npos)
    return out;
  std::string result = out.substr (0, q + 1);
  std::string_view query (out);
  query.remove_prefix (q + 1);
  std::string_view fragment;
  if (auto hash = query.find ('#'); hash != std::string_view::npos) {
    fragment = query.substr (hash);
    query = query.substr (0, hash);
  }
  bool first = true;
  while (!query.empty ()) {
    auto amp = query.find ('&');
    std::string_view part = query.substr (0, amp);
    query = amp == std::string_view::npos ? std::string_view () :
        query.substr (amp + 1);
    auto eq = part.find ('=');
    std::string_view k = part.substr (0, eq);
    if (!first)
      result += '&';
    first = false;
    if (eq != std::string_view::npos && is_secret_key (k)) {
      result += k;
      result += "=***";
    } else {
      result += part;
    }
  }
  result += fragment;
  return result;
}

}  // namespace resilient::gst
