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

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
