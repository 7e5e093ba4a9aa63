#include "resilient/whip/link.h"

#include <gtest/gtest.h>

using namespace resilient::whip;

TEST (WhipLink, ParsesTheRfc9725Example)
{
  auto s = ice_servers_from_links ({
      "<stun:stun.example.net>; rel=\"ice-server\"",
      "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; "
      "username=\"user\"; credential=\"myPassword\"; "
      "credential-type=\"password\"",
      "<turn:turn.example.net?transport=tcp>; rel=\"ice-server\"; "
      "username=\"user\"; credential=\"myPassword\"; "
      "credential-type=\"password\"",
      "<turns:turn.example.net?transport=tcp>; rel=\"ice-server\"; "
      "username=\"user\"; credential=\"myPassword\"; "
      "credential-type=\"password\"" });
  ASSERT_EQ (s.size (), 4u);
  EXPECT_EQ (s[0].url, "stun:stun.example.net");
  EXPECT_EQ (s[0].username, "");
  EXPECT_EQ (s[1].url, "turn:turn.example.net?transport=udp");
  EXPECT_EQ (s[1].username, "user");
  EXPECT_EQ (s[1].credential, "myPassword");
  EXPECT_EQ (webrtcbin_ice_url (s[0]), "stun://stun.example.net:3478");
  EXPECT_EQ (webrtcbin_ice_url (s[1]),
      "turn://user:myPassword@turn.example.net:3478?transport=udp");
  EXPECT_EQ (webrtcbin_ice_url (s[2]),
      "turn://user:myPassword@turn.example.net:3478?transport=tcp");
  EXPECT_EQ (webrtcbin_ice_url (s[3]),
      "turns://user:myPassword@turn.example.net:5349?transport=tcp");
}

TEST (WhipLink, CommaListInOneHeaderAndOtherRelsIgnored)
{
  auto s = ice_servers_from_links ({
      "<stun:a.example:19302>; rel=\"ice-server\", "
      "<urn:ietf:params:whep:ext:core:layer>; rel=\"urn:ietf:params:whep:ext:core:layer\", "
      "<turn:b.example:3479?transport=udp>; rel=\"ice-server\"; "
      "username=\"u, with comma\"; credential=\"p;semi\"" });
  ASSERT_EQ (s.size (), 2u);
  EXPECT_EQ (s[0].url, "stun:a.example:19302");
  EXPECT_EQ (s[1].url, "turn:b.example:3479?transport=udp");
  EXPECT_EQ (s[1].username, "u, with comma");
  EXPECT_EQ (s[1].credential, "p;semi");
  EXPECT_EQ (webrtcbin_ice_url (s[1]),
      "turn://u%2C%20with%20comma:p%3Bsemi@b.example:3479?transport=udp");
}

TEST (WhipLink, ToleratesSloppyQuoting)
{
  auto s = ice_servers_from_links ({
      /* unquoted values, spaces around '=', upper case names */
      "<turn:h1:3478?transport=udp> ; REL = ice-server ; Username=bob ; "
      "Credential = s3cret",
      /* single quotes */
      "<turn:h2>;rel='ice-server';username='al';credential='x y'",
      /* no angle brackets, stray quote after an unquoted value */
      "stun:h3:1234; rel=ice-server\"",
      /* escaped quote in a quoted value, unterminated final quote */
      "<turn:h4?transport=tcp>;rel=\"ice-server\";username=\"a\\\"b\";"
      "credential=\"unterminated",
      /* several rels, one of them ice-server */
      "<stun:h5>; rel=\"alternate ice-server\"" });
  ASSERT_EQ (s.size (), 5u);
  EXPECT_EQ (s[0].url, "turn:h1:3478?transport=udp");
  EXPECT_EQ (s[0].username, "bob");
  EXPECT_EQ (s[0].credential, "s3cret");
  EXPECT_EQ (s[1].username, "al");
  EXPECT_EQ (s[1].credential, "x y");
  EXPECT_EQ (s[2].url, "stun:h3:1234");
  EXPECT_EQ (s[3].username, "a\"b");
  EXPECT_EQ (s[3].credential, "unterminated");
  EXPECT_EQ (s[4].url, "stun:h5");
}

TEST (WhipLink, GenericEntriesKeepEveryParameter)
{
  auto e = parse_link_headers ({ "</res/1/layer>; "
      "rel=\"urn:ietf:params:whep:ext:core:layer\"; foo=bar; flag" });
  ASSERT_EQ (e.size (), 1u);
  EXPECT_EQ (e[0].target, "/res/1/layer");
  EXPECT_TRUE (e[0].has_rel ("urn:ietf:params:whep:ext:core:layer"));
  EXPECT_FALSE (e[0].has_rel ("ice-server"));
  EXPECT_EQ (e[0].param ("foo"), "bar");
  EXPECT_EQ (e[0].param ("flag"), "");
  EXPECT_FALSE (e[0].param ("missing"));
  EXPECT_TRUE (parse_link_headers ({ "", " , ,", ";;" }).empty ());
}

TEST (WhipLink, IceUrlsForWebrtcbin)
{
  /* percent-encoded credentials: ':' '@' '/' must not break the URI */
  IceServer t { "turn:turn.example:3478?transport=udp", "17000:alice",
    "p@ss/w:rd" };
  EXPECT_EQ (webrtcbin_ice_url (t),
      "turn://17000%3Aalice:p%40ss%2Fw%3Ard@turn.example:3478?transport=udp");
  /* IPv6 host with and without port */
  EXPECT_EQ (webrtcbin_ice_url ({ "turn:[2001:db8::1]:3479", "u", "p" }),
      "turn://u:p@[2001:db8::1]:3479");
  EXPECT_EQ (webrtcbin_ice_url ({ "stun:[::1]", "", "" }),
      "stun://[::1]:3478");
  /* the "//" form some servers write, other query params dropped */
  EXPECT_EQ (webrtcbin_ice_url ({ "turn://h:5000?foo=1&transport=TCP", "u",
              "p" }), "turn://u:p@h:5000?transport=tcp");
  /* empty credentials still give a parseable userinfo */
  EXPECT_EQ (webrtcbin_ice_url ({ "turn:h", "", "" }), "turn://:@h:3478");
  EXPECT_FALSE (webrtcbin_ice_url ({ "stuns:h", "", "" }));
  EXPECT_FALSE (webrtcbin_ice_url ({ "http://h", "", "" }));
  EXPECT_FALSE (webrtcbin_ice_url ({ "turn:", "u", "p" }));
  EXPECT_TRUE (is_stun_url ("STUN:h"));
  EXPECT_FALSE (is_stun_url ("turn:h"));
}
