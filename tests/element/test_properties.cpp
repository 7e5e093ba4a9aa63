/* Every property of every element of the plugin is documented the same way:
 * a full-sentence blurb, and time-valued properties in milliseconds. The
 * registry itself is the checked reference (hotdoc is not packaged in Debian
 * 12). */
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

static std::vector<std::string>
plugin_elements ()
{
  std::vector<std::string> names;
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), "resilient");
  if (!plugin)
    return names;
  GList *features = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      "resilient");
  for (GList * l = features; l; l = l->next) {
    if (GST_IS_ELEMENT_FACTORY (l->data))
      names.emplace_back (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (l->data)));
  }
  gst_plugin_feature_list_free (features);
  gst_object_unref (plugin);
  return names;
}

static bool
is_own_property (GParamSpec * pspec)
{
  /* Inherited from GstObject / GstElement / GstBin: not ours to document. */
  GType owner = pspec->owner_type;
  return owner != GST_TYPE_OBJECT && owner != GST_TYPE_ELEMENT
      && owner != GST_TYPE_BIN && owner != GST_TYPE_PIPELINE;
}

TEST (Properties, PluginRegistersElements)
{
  auto names = plugin_elements ();
  ASSERT_FALSE (names.empty ()) << "plugin 'resilient' not found or empty";
  bool has_failoversrc = false;
  for (auto &n : names)
    has_failoversrc |= n == "failoversrc";
  EXPECT_TRUE (has_failoversrc);
}

TEST (Properties, EveryPropertyHasAFullSentenceBlurb)
{
  int checked = 0;
  for (auto &name : plugin_elements ()) {
    GstElement *e = gst_element_factory_make (name.c_str (), nullptr);
    ASSERT_NE (e, nullptr) << name;
    guint n = 0;
    GParamSpec **specs =
        g_object_class_list_properties (G_OBJECT_GET_CLASS (e), &n);
    for (guint i = 0; i < n; i++) {
      GParamSpec *p = specs[i];
      if (!is_own_property (p))
        continue;
      std::string where = name + "::" + p->name;
      const char *blurb = g_param_spec_get_blurb (p);
      ASSERT_NE (blurb, nullptr) << where;
      std::string b (blurb);
      EXPECT_GE (b.size (), 20u) << where << ": blurb too short: " << b;
      EXPECT_TRUE (std::isupper ((unsigned char) b[0])) << where << ": " << b;
      EXPECT_EQ (b.back (), '.') << where << ": not a sentence: " << b;
      EXPECT_NE (b.find (' '), std::string::npos) << where << ": " << b;
      /* One unit for time across the plugin set: milliseconds, in the name
       * of the unit in the blurb. */
      std::string pname (p->name);
      bool timey = pname.find ("timeout") != std::string::npos
          || pname.find ("interval") != std::string::npos
          || pname.find ("holdoff") != std::string::npos
          || pname.find ("hold-off") != std::string::npos
          || pname.find ("delay") != std::string::npos
          || pname.find ("period") != std::string::npos
          || pname.find ("expiry") != std::string::npos
          || pname.find ("duration") != std::string::npos
          || pname.find ("latency") != std::string::npos;
      bool numeric = G_IS_PARAM_SPEC_UINT (p) || G_IS_PARAM_SPEC_INT (p)
          || G_IS_PARAM_SPEC_UINT64 (p) || G_IS_PARAM_SPEC_INT64 (p);
      if (timey && numeric) {
        EXPECT_NE (b.find ("milliseconds"), std::string::npos)
            << where << ": time-valued property must state milliseconds: " << b;
      }
      checked++;
    }
    g_free (specs);
    gst_object_unref (e);
  }
  EXPECT_GT (checked, 0);
}

/* Issue 10.10: what gst-inspect-1.0 shows a new user is true and complete. */
TEST (Properties, InspectTextIsTruthfulAndComplete)
{
  GstPlugin *plugin
      = gst_registry_find_plugin (gst_registry_get (), "resilient");
  ASSERT_NE (plugin, nullptr);
  std::string origin = gst_plugin_get_origin (plugin);
  gst_object_unref (plugin);
  EXPECT_EQ (origin.find ("example"), std::string::npos)
      << "invented origin URL: " << origin;
  EXPECT_NE (origin.find ("gst-resilient"), std::string::npos) << origin;

  GstElementFactory *ars = gst_element_factory_find ("autorestoresink");
  ASSERT_NE (ars, nullptr);
  std::string desc = gst_element_factory_get_metadata (
      ars, GST_ELEMENT_METADATA_DESCRIPTION);
  gst_object_unref (ars);
  for (const char *proto : { "RTMP", "SRT", "WHIP" })
    EXPECT_NE (desc.find (proto), std::string::npos)
        << "autorestoresink description omits " << proto << ": " << desc;

  GstElement *f = gst_element_factory_make ("failoversrc", nullptr);
  ASSERT_NE (f, nullptr);
  GParamSpec *uris
      = g_object_class_find_property (G_OBJECT_GET_CLASS (f), "uris");
  ASSERT_NE (uris, nullptr);
  std::string blurb = g_param_spec_get_blurb (uris);
  for (const char *scheme :
       { "rtmp", "srt", "rtsp", "file", "whep://", "cluster://" })
    EXPECT_NE (blurb.find (scheme), std::string::npos)
        << "failoversrc uris blurb omits " << scheme << ": " << blurb;
  gst_object_unref (f);
}

/* Issue 10.10: signal arguments show as arg0 and enums as descriptions in
 * bindings; the element docs name every signal argument and show the
 * `.value_nick` idiom. */
TEST (Properties, DocsNameSignalArgumentsAndTheValueNickIdiom)
{
  const char *root = g_getenv ("RESILIENT_SOURCE_ROOT");
  ASSERT_NE (root, nullptr);
  gchar *path
      = g_build_filename (root, "docs", "elements", "failoversrc.md", nullptr);
  gchar *text = nullptr;
  ASSERT_TRUE (g_file_get_contents (path, &text, nullptr, nullptr)) << path;
  std::string doc (text);
  g_free (text);
  g_free (path);
  EXPECT_NE (doc.find ("value_nick"), std::string::npos);
  EXPECT_NE (doc.find ("arg0"), std::string::npos)
      << "say that tools print the index argument as arg0";
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
