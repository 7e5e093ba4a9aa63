#include "resilient/whip/sdp.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

namespace resilient::whip {

/* The whitespace-separated token of `s` at or after `i` (empty when there
 * is none); `i` moves past it. */
static std::string_view
next_token (std::string_view s, std::size_t &i)
{
  while (i < s.size () && std::isspace (static_cast<unsigned char> (s[i])))
    i++;
  std::size_t b = i;
  while (i < s.size () && !std::isspace (static_cast<unsigned char> (s[i])))
    i++;
  return s.substr (b, i - b);
}

static std::vector<std::string>
split_ws (std::string_view s)
{
  std::vector<std::string> out;
  std::size_t i = 0;
  for (auto t = next_token (s, i); !t.empty (); t = next_token (s, i))
    out.emplace_back (t);
  return out;
}

static std::string
lower (std::string s)
{
  std::transform (s.begin (), s.end (), s.begin (),
      [](unsigned char c) { return std::tolower (c); });
  return s;
}

/* "a=name:value" or "a=name" lines: the value (possibly empty) when the line
 * is attribute `name`, as a view into `line`. Allocates nothing: every
 * lookup walks every line of a section. */
static std::optional<std::string_view>
attr_view (std::string_view line, std::string_view name)
{
  if (line.size () < 2 + name.size () || line.substr (0, 2) != "a="
      || line.substr (2, name.size ()) != name)
    return std::nullopt;
  std::string_view rest = line.substr (2 + name.size ());
  if (rest.empty ())
    return rest;
  if (rest[0] == ':')
    return rest.substr (1);
  return std::nullopt;
}

static std::optional<std::string>
attr_value (std::string_view line, std::string_view name)
{
  if (auto v = attr_view (line, name))
    return std::string (*v);
  return std::nullopt;
}

/* The n-th whitespace-separated token of `s` (empty past the last). */
static std::string_view
nth_token (std::string_view s, std::size_t n)
{
  std::size_t i = 0;
  auto t = next_token (s, i);
  while (n-- > 0 && !t.empty ())
    t = next_token (s, i);
  return t;
}

/* An m-line after its "m=" (the media, port, proto and formats). */
static std::string_view
mline_fields (const std::string &mline)
{
  return std::string_view (mline).substr (std::min<std::size_t> (2, mline.size ()));
}

std::string
SdpMedia::kind () const
{
  std::string_view m (mline);
  return std::string (nth_token (m.substr (mline.rfind ("m=", 0) == 0 ? 2 : 0), 0));
}

int
SdpMedia::port () const
{
  /* "m=<media> <port>[/<count>] ...": the number at the start of the second
   * token; -1 when there is none or it does not fit an int */
  auto t = nth_token (mline_fields (mline), 1);
  if (t.size () > 1 && t[0] == '+' && t[1] != '-')
    t.remove_prefix (1);
  int port = -1;
  auto r = std::from_chars (t.data (), t.data () + t.size (), port);
  return r.ec == std::errc () ? port : -1;
}

std::vector<std::string>
SdpMedia::formats () const
{
  auto t = split_ws (mline_fields (mline));
  if (t.size () < 4)
    return {};
  return std::vector<std::string> (t.begin () + 3, t.end ());
}

std::optional<std::string>
SdpMedia::attr (const std::string &name) const
{
  for (auto &l : lines)
    if (auto v = attr_value (l, name))
      return v;
  return std::nullopt;
}

std::vector<std::string>
SdpMedia::attrs (const std::string &name) const
{
  std::vector<std::string> out;
  for (auto &l : lines)
    if (auto v = attr_value (l, name))
      out.push_back (*v);
  return out;
}

bool
SdpMedia::has_attr (const std::string &name) const
{
  for (auto &l : lines)
    if (attr_view (l, name))
      return true;
  return false;
}

std::string
SdpMedia::mid () const
{
  return attr ("mid").value_or ("");
}

std::string
SdpMedia::direction () const
{
  for (const char *d : { "sendrecv", "sendonly", "recvonly", "inactive" })
    if (has_attr (d))
      return d;
  return "sendrecv";
}

std::optional<Sdp>
Sdp::parse (const std::string &text)
{
  Sdp sdp;
  bool seen_v = false;
  for (std::size_t b = 0; b < text.size ();) {
    std::size_t e = text.find ('\n', b);
    if (e == std::string::npos)
      e = text.size ();
    std::string_view line (text.data () + b, e - b);
    b = e + 1;
    if (!line.empty () && line.back () == '\r')
      line.remove_suffix (1);
    if (line.empty ())
      continue;
    if (line.size () < 2 || line[1] != '=')
      return std::nullopt;
    if (line[0] == 'v')
      seen_v = true;
    if (line[0] == 'm') {
      sdp.media.push_back (SdpMedia { std::string (line), {} });
    } else if (sdp.media.empty ()) {
      sdp.session.emplace_back (line);
    } else {
      sdp.media.back ().lines.emplace_back (line);
    }
  }
  if (!seen_v)
    return std::nullopt;
  return sdp;
}

std::string
Sdp::to_string () const
{
  std::size_t n = 0;
  for (auto &l : session)
    n += l.size () + 2;
  for (auto &m : media) {
    n += m.mline.size () + 2;
    for (auto &l : m.lines)
      n += l.size () + 2;
  }
  std::string out;
  out.reserve (n);
  auto put = [&out](const std::string &l) { out.append (l).append ("\r\n"); };
  for (auto &l : session)
    put (l);
  for (auto &m : media) {
    put (m.mline);
    for (auto &l : m.lines)
      put (l);
  }
  return out;
}

std::optional<std::string>
Sdp::session_attr (const std::string &name) const
{
  for (auto &l : session)
    if (auto v = attr_value (l, name))
      return v;
  return std::nullopt;
}

std::vector<std::string>
Sdp::bundle_mids () const
{
  for (auto &l : session) {
    if (auto v = attr_value (l, "group")) {
      auto t = split_ws (*v);
      if (!t.empty () && t[0] == "BUNDLE")
        return std::vector<std::string> (t.begin () + 1, t.end ());
    }
  }
  return {};
}

/* Inserts `line` after the last line of the media section that matches one
 * of `after` prefixes, else after the a=mid line, else at the end. */
static void
insert_media_line (SdpMedia &m, const std::string &line,
    const std::vector<std::string> &after)
{
  auto pos = m.lines.end ();
  for (auto &prefix : after) {
    for (auto it = m.lines.begin (); it != m.lines.end (); ++it)
      if (it->rfind (prefix, 0) == 0)
        pos = it + 1;
    if (pos != m.lines.end ())
      break;
  }
  m.lines.insert (pos, line);
}

static std::string
h264_fmtp (const std::string &existing)
{
  /* keep unknown parameters, force the three that matter */
  std::vector<std::string> kept;
  std::istringstream in (existing);
  std::string kv;
  while (std::getline (in, kv, ';')) {
    auto b = kv.find_first_not_of (' ');
    if (b == std::string::npos)
      continue;
    kv = kv.substr (b);
    auto key = lower (kv.substr (0, kv.find ('=')));
    if (key == "profile-level-id" || key == "packetization-mode"
        || key == "level-asymmetry-allowed" || key == "sprop-parameter-sets")
      continue;
    kept.push_back (kv);
  }
  std::string out =
      "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
  for (auto &k : kept)
    out += ";" + k;
  return out;
}

std::optional<std::string>
fix_offer (const std::string &offer, const OfferFixups &f)
{
  auto parsed = Sdp::parse (offer);
  if (!parsed)
    return std::nullopt;
  Sdp sdp = std::move (*parsed);

  /* a mid on every m-section (webrtcbin always writes one) */
  for (std::size_t i = 0; i < sdp.media.size (); i++)
    if (sdp.media[i].mid ().empty ())
      insert_media_line (sdp.media[i], "a=mid:" + std::to_string (i),
          { "c=" });

  if (f.bundle_all && !sdp.media.empty ()) {
    std::string group = "a=group:BUNDLE";
    for (auto &m : sdp.media)
      group += " " + m.mid ();
    bool replaced = false;
    for (auto &l : sdp.session) {
      if (auto v = attr_value (l, "group"); v && v->rfind ("BUNDLE", 0) == 0) {
        l = group;
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      /* after t= (session attributes follow the timing line) */
      auto it = std::find_if (sdp.session.begin (), sdp.session.end (),
          [](const std::string &l) { return l.rfind ("t=", 0) == 0; });
      sdp.session.insert (it == sdp.session.end () ? it : it + 1, group);
    }
  }

  if (f.rtcp_mux_only) {
    for (auto &m : sdp.media) {
      if (!m.has_attr ("rtcp-mux"))
        insert_media_line (m, "a=rtcp-mux", { "a=mid:" });
      if (!m.has_attr ("rtcp-mux-only"))
        insert_media_line (m, "a=rtcp-mux-only", { "a=rtcp-mux" });
    }
  }

  if (f.add_mid_extmap) {
    /* one id for the URI across the bundle: lowest id free everywhere */
    std::optional<int> existing;
    std::set<int> used;
    for (auto &m : sdp.media) {
      for (auto &v : m.attrs ("extmap")) {
        auto t = split_ws (v);
        if (t.size () < 2)
          continue;
        int id = std::atoi (t[0].c_str ());
        if (t[1] == kSdesMidUri)
          existing = id;
        used.insert (id);
      }
    }
    int id = existing.value_or (0);
    for (int c = 1; !id && c <= 14; c++)
      if (!used.count (c))
        id = c;
    if (id) {
      for (auto &m : sdp.media) {
        bool has = false;
        for (auto &v : m.attrs ("extmap")) {
          auto t = split_ws (v);
          has |= t.size () >= 2 && t[1] == kSdesMidUri;
        }
        if (!has && m.kind () != "application")
          insert_media_line (m, "a=extmap:" + std::to_string (id) + " "
              + kSdesMidUri, { "a=extmap:", "a=rtcp-mux-only", "a=mid:" });
      }
    }
  }

  if (f.add_msid) {
    std::string stream = f.stream_id;
    if (stream.empty ()) {
      for (auto &m : sdp.media) {
        for (auto &v : m.attrs ("ssrc")) {
          auto p = v.find (" msid:");
          if (p != std::string::npos) {
            auto t = split_ws (v.substr (p + 6));
            if (!t.empty ()) {
              stream = t[0];
              break;
            }
          }
        }
        if (!stream.empty ())
          break;
      }
      if (stream.empty ())
        stream = "resilient";
    }
    for (auto &m : sdp.media) {
      if (m.kind () == "application")
        continue;
      std::string track;
      for (auto &v : m.attrs ("ssrc")) {
        auto p = v.find (" msid:");
        if (p != std::string::npos) {
          auto t = split_ws (v.substr (p + 6));
          if (t.size () >= 2) {
            track = t[1];
            break;
          }
        }
      }
      if (track.empty ())
        track = m.kind () + "-" + m.mid ();
      std::string line = "a=msid:" + stream + " " + track;
      /* the ssrc-level msid (RFC 8830 dropped it, older receivers still
       * read it) names the same stream and track */
      for (auto &l : m.lines) {
        auto v = attr_view (l, "ssrc");
        if (!v)
          continue;
        auto p = v->find (" msid:");
        if (p != std::string_view::npos)
          l = "a=ssrc:" + std::string (v->substr (0, p)) + " msid:" + stream
              + " " + track;
      }
      m.lines.erase (std::remove_if (m.lines.begin (), m.lines.end (),
              [](const std::string &l) { return l.rfind ("a=msid:", 0) == 0; }),
          m.lines.end ());
      insert_media_line (m, line, { "a=mid:" });
    }
  }

  if (f.h264_constrained_baseline) {
    for (auto &m : sdp.media) {
      std::set<std::string> h264;
      for (auto &v : m.attrs ("rtpmap")) {
        auto t = split_ws (v);
        if (t.size () >= 2 && lower (t[1]).rfind ("h264/", 0) == 0)
          h264.insert (t[0]);
      }
      /* one pass over the lines (not one per payload type: an offer
       * with many H264 formats and fmtp lines made this quadratic) */
      std::set<std::string> done;
      for (auto &l : m.lines) {
        auto v = attr_view (l, "fmtp");
        if (!v)
          continue;
        auto sp = v->find (' ');
        std::string pt (v->substr (0, sp));
        if (!h264.count (pt))
          continue;
        l = "a=fmtp:" + pt + " " + h264_fmtp (sp == std::string_view::npos ?
            std::string () : std::string (v->substr (sp + 1)));
        done.insert (pt);
      }
      for (auto &pt : h264)
        if (!done.count (pt))
          insert_media_line (m, "a=fmtp:" + pt + " " + h264_fmtp (""),
              { "a=rtpmap:" + pt + " " });
    }
  }
  return sdp.to_string ();
}

/* (id, uri) of every a=extmap of `m` */
static std::vector<std::pair<int, std::string>>
extmaps_of (const SdpMedia &m)
{
  std::vector<std::pair<int, std::string>> out;
  for (auto &v : m.attrs ("extmap")) {
    auto t = split_ws (v);
    if (t.size () < 2)
      continue;
    /* "id[/direction] uri [attributes]" */
    out.emplace_back (std::atoi (t[0].c_str ()), t[1]);
  }
  return out;
}

std::vector<std::string>
routing_problems (const std::string &text)
{
  std::vector<std::string> problems;
  auto sdp = Sdp::parse (text);
  if (!sdp) {
    problems.push_back ("the offer is not SDP");
    return problems;
  }
  auto bundle = sdp->bundle_mids ();
  std::map<std::string, int> uri_ids;
  for (std::size_t i = 0; i < sdp->media.size (); i++) {
    auto &m = sdp->media[i];
    std::string name = "m-line " + std::to_string (i) + " (" + m.kind ()
                       + (m.mid ().empty () ? "" : ", mid " + m.mid ()) + ")";
    if (m.kind () != "audio" && m.kind () != "video")
      continue;
    bool bundled = !m.mid ().empty ()
                   && std::find (bundle.begin (), bundle.end (), m.mid ())
                          != bundle.end ();
    if (m.port () == 0 && !bundled)
      continue; /* rejected or unused */
    if (m.mid ().empty ())
      problems.push_back (name + " has no a=mid");
    auto maps = extmaps_of (m);
    bool mid_ext = false, twcc_ext = false;
    for (auto &[id, uri] : maps) {
      mid_ext |= uri == kSdesMidUri;
      twcc_ext |= uri == kTwccUri;
      auto it = uri_ids.find (uri);
      if (it != uri_ids.end () && it->second != id)
        problems.push_back (name + " maps " + uri + " to id "
                            + std::to_string (id) + ", another m-line to "
                            + std::to_string (it->second)
                            + " (one id per URI in a bundle)");
      uri_ids.emplace (uri, id);
    }
    bool twcc_fb = false;
    for (auto &v : m.attrs ("rtcp-fb")) {
      auto t = split_ws (v);
      twcc_fb |= t.size () >= 2 && t[1] == "transport-cc";
    }
    if (twcc_fb && !twcc_ext)
      problems.push_back (
          name
          + " offers rtcp-fb transport-cc without the "
            "transport-wide-cc header extension: no feedback can come");
    if (twcc_ext && !twcc_fb)
      problems.push_back (name
                          + " has the transport-wide-cc header "
                            "extension without rtcp-fb transport-cc");
    std::string dir = m.direction ();
    if (dir != "sendonly" && dir != "sendrecv")
      continue;
    /* ssrc -> msid of the ssrc-level lines */
    std::vector<std::string> ssrc_msids;
    bool any_ssrc = false;
    for (auto &v : m.attrs ("ssrc")) {
      any_ssrc = true;
      auto p = v.find (" msid:");
      if (p != std::string::npos)
        ssrc_msids.push_back (v.substr (p + 6));
    }
    if (!any_ssrc && !mid_ext)
      problems.push_back (
          name
          + " sends media but names no SSRC (a=ssrc) "
            "and no sdes:mid header extension: a receiver cannot route it");
    auto media_msid = m.attr ("msid");
    if (media_msid)
      for (auto &sm : ssrc_msids)
        if (split_ws (sm) != split_ws (*media_msid))
          problems.push_back (name + " has a=msid:" + *media_msid
                              + " but ssrc-level msid:" + sm);
  }
  return problems;
}

static std::string
complement (const std::string &dir)
{
  if (dir == "sendonly")
    return "recvonly";
  if (dir == "recvonly")
    return "sendonly";
  return dir;
}

static std::vector<std::string>
check_answer_impl (const std::string &offer_text,
    const std::string &answer_text, const std::string &offer_direction,
    bool partial, std::vector<std::string> *active)
{
  std::vector<std::string> problems;
  auto offer = Sdp::parse (offer_text);
  auto answer = Sdp::parse (answer_text);
  if (!answer) {
    problems.push_back ("the answer is not SDP");
    return problems;
  }
  if (answer->media.empty ()) {
    problems.push_back ("the answer has no m-line");
    return problems;
  }
  if (offer && offer->media.size () != answer->media.size ())
    problems.push_back ("the answer has " + std::to_string (answer->media.size ())
        + " m-lines for " + std::to_string (offer->media.size ())
        + " in the offer");
  auto bundle = answer->bundle_mids ();
  std::string want = complement (offer_direction);
  for (std::size_t i = 0; i < answer->media.size (); i++) {
    auto &m = answer->media[i];
    /* each of these walks the section's lines: read once */
    const std::string kind = m.kind (), mid = m.mid ();
    std::string name = "m-line " + std::to_string (i) + " (" + kind
        + (mid.empty () ? "" : ", mid " + mid) + ")";
    bool bundled = !mid.empty ()
        && std::find (bundle.begin (), bundle.end (), mid) != bundle.end ();
    if (m.port () == 0 && !bundled) {
      if (!partial)
        problems.push_back (name + " rejected by the server (port 0)");
      continue;
    }
    if (kind == "application")
      continue;
    const std::string dir = m.direction ();
    if (partial && dir == "inactive")
      continue;
    if (dir != want) {
      problems.push_back (name + " answered " + dir + ", expected " + want);
      continue;
    }
    if (active)
      active->push_back (kind);
  }
  if (partial && problems.empty () && active && active->empty ())
    problems.push_back ("the server declined every m-line");
  if (!bundle.empty ())
    for (auto &m : answer->media)
      if (m.port () != 0 && std::find (bundle.begin (), bundle.end (),
              m.mid ()) == bundle.end ())
        problems.push_back ("m-line " + m.kind () + " is outside the BUNDLE "
            "group (max-bundle needs every m-line in it)");
  return problems;
}

std::vector<std::string>
check_answer (const std::string &offer, const std::string &answer,
    const std::string &offer_direction)
{
  return check_answer_impl (offer, answer, offer_direction, false, nullptr);
}

std::vector<std::string>
check_answer_partial (const std::string &offer, const std::string &answer,
    const std::string &offer_direction, std::vector<std::string> &active)
{
  active.clear ();
  return check_answer_impl (offer, answer, offer_direction, true, &active);
}

static const SdpMedia *
first_bundled (const Sdp &sdp)
{
  auto bundle = sdp.bundle_mids ();
  if (!bundle.empty ())
    for (auto &m : sdp.media)
      if (m.mid () == bundle[0])
        return &m;
  return sdp.media.empty () ? nullptr : &sdp.media[0];
}

std::optional<TrickleTarget>
trickle_target (const std::string &offer)
{
  auto sdp = Sdp::parse (offer);
  if (!sdp)
    return std::nullopt;
  const SdpMedia *m = first_bundled (*sdp);
  if (!m)
    return std::nullopt;
  TrickleTarget t;
  auto toks = split_ws (m->mline.substr (2));
  /* the m-line as in the offer, port 9 (RFC 8840: the port is ignored) */
  if (toks.size () >= 2)
    toks[1] = "9";
  t.mline = "m=";
  for (std::size_t i = 0; i < toks.size (); i++)
    t.mline += (i ? " " : "") + toks[i];
  t.mid = m->mid ();
  t.ice_ufrag = m->attr ("ice-ufrag").value_or (
      sdp->session_attr ("ice-ufrag").value_or (""));
  t.ice_pwd = m->attr ("ice-pwd").value_or (
      sdp->session_attr ("ice-pwd").value_or (""));
  if (t.ice_ufrag.empty () || t.ice_pwd.empty ())
    return std::nullopt;
  return t;
}

std::string
build_sdpfrag (const TrickleTarget &t, const std::vector<std::string> &cands,
    bool end)
{
  std::string out = t.mline + "\r\n";
  out += "a=mid:" + t.mid + "\r\n";
  out += "a=ice-ufrag:" + t.ice_ufrag + "\r\n";
  out += "a=ice-pwd:" + t.ice_pwd + "\r\n";
  for (auto c : cands) {
    while (!c.empty () && (c.back () == '\r' || c.back () == '\n'))
      c.pop_back ();
    if (c.empty ())
      continue;
    if (c.rfind ("a=", 0) != 0)
      c = "a=" + c;
    out += c + "\r\n";
  }
  if (end)
    out += "a=end-of-candidates\r\n";
  return out;
}

std::vector<std::string>
candidates_of (const std::string &text)
{
  auto sdp = Sdp::parse (text);
  if (!sdp)
    return {};
  const SdpMedia *m = first_bundled (*sdp);
  if (!m)
    return {};
  std::vector<std::string> out;
  for (auto &v : m->attrs ("candidate"))
    out.push_back ("candidate:" + v);
  return out;
}

std::string
strip_candidates (const std::string &text)
{
  auto sdp = Sdp::parse (text);
  if (!sdp)
    return text;
  for (auto &m : sdp->media)
    m.lines.erase (std::remove_if (m.lines.begin (), m.lines.end (),
            [](const std::string &l) {
              return l.rfind ("a=candidate:", 0) == 0
                  || l == "a=end-of-candidates";
            }), m.lines.end ());
  return sdp->to_string ();
}

}  // namespace resilient::whip
