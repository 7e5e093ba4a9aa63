#include "resilient/whip/url.h"

#include <gtest/gtest.h>

using namespace resilient::whip;

TEST (WhipUrl, ResolvesRfc3986Examples)
{
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ (resolve_url (base, "g"), "http://a/b/c/g");
  EXPECT_EQ (resolve_url (base, "./g"), "http://a/b/c/g");
  EXPECT_EQ (resolve_url (base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ (resolve_url (base, "/g"), "http://a/g");
  EXPECT_EQ (resolve_url (base, "//g"), "http://g/");
  EXPECT_EQ (resolve_url (base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ (resolve_url (base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ (resolve_url (base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ (resolve_url (base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ (resolve_url (base, ".."), "http://a/b/");
  EXPECT_EQ (resolve_url (base, "../g"), "http://a/b/g");
  EXPECT_EQ (resolve_url (base, "../../g"), "http://a/g");
  EXPECT_EQ (resolve_url (base, "../../../g"), "http://a/g");
  EXPECT_EQ (resolve_url (base, "/./g"), "http://a/g");
  EXPECT_EQ (resolve_url (base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST (WhipUrl, LocationFormsResolveAgainstTheAnsweringUrl)
{
  const std::string answered = "https://edge2.example.com:8443/whip/live/cam1";
  /* path-only */
  EXPECT_EQ (resolve_url (answered, "/whip/session/42"),
      "https://edge2.example.com:8443/whip/session/42");
  /* relative */
  EXPECT_EQ (resolve_url (answered, "cam1/sessions/42"),
      "https://edge2.example.com:8443/whip/live/cam1/sessions/42");
  EXPECT_EQ (resolve_url (answered, "../resource/abc"),
      "https://edge2.example.com:8443/whip/resource/abc");
  /* absolute, other host */
  EXPECT_EQ (resolve_url (answered, "http://10.0.0.5/res/1"),
      "http://10.0.0.5/res/1");
  /* scheme-relative */
  EXPECT_EQ (resolve_url (answered, "//other/res"), "https://other/res");
  /* surrounding whitespace from sloppy servers */
  EXPECT_EQ (resolve_url (answered, "  /s/1 "),
      "https://edge2.example.com:8443/s/1");
}

TEST (WhipUrl, ElementSchemesMapToHttp)
{
  EXPECT_EQ (http_url_for ("whep://host:8889/cam/whep"),
      "http://host:8889/cam/whep");
  EXPECT_EQ (http_url_for ("wheps://host/cam"), "https://host/cam");
  EXPECT_EQ (http_url_for ("whip://127.0.0.1:1/x?y=1"),
      "http://127.0.0.1:1/x?y=1");
  EXPECT_EQ (http_url_for ("whips://h"), "https://h/");
  EXPECT_EQ (http_url_for ("https://h/p"), "https://h/p");
  EXPECT_EQ (http_url_for ("WHEPS://H/p"), "https://H/p");
  EXPECT_FALSE (http_url_for ("rtsp://h/p"));
  EXPECT_FALSE (http_url_for ("whep:///nohost"));
  EXPECT_FALSE (http_url_for ("/just/a/path"));
}

TEST (WhipUrl, HttpUrlAndOrigin)
{
  EXPECT_TRUE (is_http_url ("http://a/b"));
  EXPECT_TRUE (is_http_url ("HTTPS://a"));
  EXPECT_FALSE (is_http_url ("ftp://a/b"));
  EXPECT_FALSE (is_http_url ("/a/b"));
  EXPECT_EQ (url_origin ("https://Edge.Example:8443/a?b"),
      "https://edge.example:8443");
}

TEST (WhipUrl, PercentEncodeKeepsOnlyUnreserved)
{
  EXPECT_EQ (percent_encode ("abc-._~XYZ09"), "abc-._~XYZ09");
  EXPECT_EQ (percent_encode ("u:s@r/p?#%"), "u%3As%40r%2Fp%3F%23%25");
  EXPECT_EQ (percent_encode ("a b+c"), "a%20b%2Bc");
  EXPECT_EQ (percent_encode ("\xc3\xa9"), "%C3%A9");
}
