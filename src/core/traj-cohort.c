/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-cohort"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "traj-cohort.h"
#include "traj-medication.h"

#define DEFINITION_VERSION 1

/* ---- codes and labels ------------------------------------------------------ */

typedef struct {
  const char *code;
  const char *label;
} Pair;

static const Pair age_bands[] = {
  { "under-25", N_("<25") },
  { "25-34", N_("25–34") },
  { "35-44", N_("35–44") },
  { "45-54", N_("45–54") },
  { "55-64", N_("55–64") },
  { "65-plus", N_("65+") },
  { "unknown", N_("Age unknown") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (age_bands) == TRAJ_N_AGE_BANDS);

static const Pair fields[] = {
  { "none", N_("None") },
  { "indication", N_("Indication") },
  { "indication_detail", N_("Indication detail") },
  { "route", N_("Route") },
  { "medicine", N_("Medicine") },
  { "sex", N_("Sex") },
  { "age_band", N_("Age band at course start") },
  { "protocol", N_("Protocol") },
  { "clinician", N_("Clinician") },
  { "start_year", N_("Year of course start") },
  { "benzodiazepine_at_start", N_("Benzodiazepine at course start") },
  { "lamotrigine_at_start", N_("Lamotrigine at course start") },
  { "substance_use", N_("History of substance use") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (fields) == TRAJ_N_COHORT_FIELDS);

static const Pair timepoints[] = {
  { "eoi", N_("End of induction") },
  { "w4", N_("4 weeks after induction") },
  { "w8", N_("8 weeks after induction") },
  { "w12", N_("12 weeks after induction") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (timepoints) == TRAJ_COHORT_N_TIMEPOINTS);

/* Days after the end of induction each time point aims at. */
static const int timepoint_days[TRAJ_COHORT_N_TIMEPOINTS] = { 0, 28, 56, 84 };

TrajAgeBand
traj_age_band_for_age (int years)
{
  if (years < 0)
    return TRAJ_AGE_BAND_UNKNOWN;
  if (years < 25)
    return TRAJ_AGE_BAND_UNDER_25;
  if (years < 35)
    return TRAJ_AGE_BAND_25_34;
  if (years < 45)
    return TRAJ_AGE_BAND_35_44;
  if (years < 55)
    return TRAJ_AGE_BAND_45_54;
  if (years < 65)
    return TRAJ_AGE_BAND_55_64;
  return TRAJ_AGE_BAND_65_PLUS;
}

const char *
traj_age_band_to_string (TrajAgeBand band)
{
  return (guint) band < TRAJ_N_AGE_BANDS ? age_bands[band].code : NULL;
}

gboolean
traj_age_band_from_string (const char *s, TrajAgeBand *out)
{
  if (s == NULL)
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (age_bands); k++)
    if (g_str_equal (s, age_bands[k].code) || g_str_equal (s, age_bands[k].label))
      {
        *out = (TrajAgeBand) k;
        return TRUE;
      }
  /* what people type */
  if (g_str_equal (s, "<25") || g_str_equal (s, "under25"))
    *out = TRAJ_AGE_BAND_UNDER_25;
  else if (g_str_equal (s, "65+"))
    *out = TRAJ_AGE_BAND_65_PLUS;
  else
    return FALSE;
  return TRUE;
}

const char *
traj_age_band_label (TrajAgeBand band)
{
  return (guint) band < TRAJ_N_AGE_BANDS ? _(age_bands[band].label) : "";
}

const char *
traj_cohort_field_to_string (TrajCohortField field)
{
  return (guint) field < TRAJ_N_COHORT_FIELDS ? fields[field].code : NULL;
}

gboolean
traj_cohort_field_from_string (const char *s, TrajCohortField *out)
{
  if (s == NULL)
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
    if (g_str_equal (s, fields[k].code))
      {
        *out = (TrajCohortField) k;
        return TRUE;
      }
  if (g_str_equal (s, "age-band"))
    *out = TRAJ_COHORT_FIELD_AGE_BAND;
  else if (g_str_equal (s, "start-year") || g_str_equal (s, "year"))
    *out = TRAJ_COHORT_FIELD_START_YEAR;
  else
    return FALSE;
  return TRUE;
}

const char *
traj_cohort_field_label (TrajCohortField field)
{
  return (guint) field < TRAJ_N_COHORT_FIELDS ? _(fields[field].label) : "";
}

const char *
traj_cohort_timepoint_to_string (TrajCohortTimepoint tp)
{
  return (guint) tp < TRAJ_COHORT_N_TIMEPOINTS ? timepoints[tp].code : NULL;
}

const char *
traj_cohort_timepoint_label (TrajCohortTimepoint tp)
{
  return (guint) tp < TRAJ_COHORT_N_TIMEPOINTS ? _(timepoints[tp].label) : "";
}

/* ---- filters ------------------------------------------------------------------ */

void
traj_cohort_filter_init (TrajCohortFilter *f)
{
  g_return_if_fail (f != NULL);

  memset (f, 0, sizeof *f);
  f->start_from = TRAJ_DAY_NONE;
  f->start_to = TRAJ_DAY_NONE;
}

void
traj_cohort_filter_clear (TrajCohortFilter *f)
{
  g_return_if_fail (f != NULL);

  g_strfreev (f->protocols);
  g_strfreev (f->clinicians);
  traj_cohort_filter_init (f);
}

void
traj_cohort_filter_copy (const TrajCohortFilter *src, TrajCohortFilter *dest)
{
  g_return_if_fail (src != NULL && dest != NULL);

  *dest = *src;
  dest->protocols = g_strdupv (src->protocols);
  dest->clinicians = g_strdupv (src->clinicians);
}

gboolean
traj_cohort_filter_is_empty (const TrajCohortFilter *f)
{
  g_return_val_if_fail (f != NULL, TRUE);

  return f->indications == 0 && f->routes == 0 && f->medicines == 0 && f->sexes == 0 &&
         f->age_bands == 0 && (f->protocols == NULL || f->protocols[0] == NULL) &&
         (f->clinicians == NULL || f->clinicians[0] == NULL) &&
         f->start_from == TRAJ_DAY_NONE && f->start_to == TRAJ_DAY_NONE;
}

static gboolean
text_listed (char **list, const char *value)
{
  if (list == NULL || list[0] == NULL)
    return TRUE;
  for (guint k = 0; list[k]; k++)
    if (g_ascii_strcasecmp (list[k], value ? value : "") == 0)
      return TRUE;
  return FALSE;
}

gboolean
traj_cohort_filter_matches (const TrajCohortFilter *f,
                            const TrajCohortCourse *c)
{
  g_return_val_if_fail (f != NULL && c != NULL, FALSE);

  if (f->indications && !(f->indications & (1u << c->indication)))
    return FALSE;
  if (f->routes && !(c->has_infusion && (f->routes & (1u << c->route))))
    return FALSE;
  if (f->medicines && !(c->has_infusion && (f->medicines & (1u << c->medicine))))
    return FALSE;
  if (f->sexes && !(f->sexes & (1u << c->sex)))
    return FALSE;
  if (f->age_bands && !(f->age_bands & (1u << c->age_band)))
    return FALSE;
  if (!text_listed (f->protocols, c->protocol))
    return FALSE;
  if (f->clinicians && f->clinicians[0] && !(c->has_infusion && text_listed (f->clinicians, c->clinician)))
    return FALSE;
  if (f->start_from != TRAJ_DAY_NONE && (c->start_day == TRAJ_DAY_NONE || c->start_day < f->start_from))
    return FALSE;
  if (f->start_to != TRAJ_DAY_NONE && (c->start_day == TRAJ_DAY_NONE || c->start_day > f->start_to))
    return FALSE;
  return TRUE;
}

/* ---- definitions --------------------------------------------------------------- */

static void
spec_free (TrajCohortSpec *s)
{
  if (s == NULL)
    return;
  g_free (s->label);
  traj_cohort_filter_clear (&s->filter);
  g_free (s);
}

TrajCohortDefinition *
traj_cohort_definition_new (void)
{
  TrajCohortDefinition *def = g_new0 (TrajCohortDefinition, 1);

  def->scale = TRAJ_SCALE_NONE;
  traj_cohort_filter_init (&def->filter);
  def->group_by = TRAJ_COHORT_FIELD_NONE;
  def->cohorts = g_ptr_array_new_with_free_func ((GDestroyNotify) spec_free);
  return def;
}

TrajCohortDefinition *
traj_cohort_definition_copy (const TrajCohortDefinition *def)
{
  TrajCohortDefinition *n;

  g_return_val_if_fail (def != NULL, NULL);

  n = traj_cohort_definition_new ();
  n->scale = def->scale;
  n->group_by = def->group_by;
  traj_cohort_filter_copy (&def->filter, &n->filter);
  for (guint k = 0; k < def->cohorts->len; k++)
    {
      const TrajCohortSpec *s = g_ptr_array_index (def->cohorts, k);
      TrajCohortFilter *f = traj_cohort_definition_add (n, s->label);
      traj_cohort_filter_copy (&s->filter, f);
    }
  return n;
}

void
traj_cohort_definition_free (TrajCohortDefinition *def)
{
  if (def == NULL)
    return;
  traj_cohort_filter_clear (&def->filter);
  g_ptr_array_unref (def->cohorts);
  g_free (def);
}

TrajCohortFilter *
traj_cohort_definition_add (TrajCohortDefinition *def,
                            const char           *label)
{
  TrajCohortSpec *s;

  g_return_val_if_fail (def != NULL, NULL);

  s = g_new0 (TrajCohortSpec, 1);
  s->label = g_strdup (label);
  traj_cohort_filter_init (&s->filter);
  g_ptr_array_add (def->cohorts, s);
  return &s->filter;
}

static gboolean
filter_validate (const TrajCohortFilter *f, GError **error)
{
  if (f->start_from != TRAJ_DAY_NONE && f->start_to != TRAJ_DAY_NONE && f->start_from > f->start_to)
    {
      g_autofree char *from = traj_day_to_iso (f->start_from);
      g_autofree char *to = traj_day_to_iso (f->start_to);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The course start range ends (%s) before it begins (%s)."), to, from);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_cohort_definition_validate (const TrajCohortDefinition *def,
                                 GError                    **error)
{
  g_return_val_if_fail (def != NULL, FALSE);

  if ((guint) def->group_by >= TRAJ_N_COHORT_FIELDS)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Unknown group-by field."));
      return FALSE;
    }
  if ((guint) def->scale >= TRAJ_N_SCALES)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_SCALE_UNKNOWN, _("Unknown scale."));
      return FALSE;
    }
  if (def->group_by != TRAJ_COHORT_FIELD_NONE && def->cohorts->len > 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("Either group by a field or define cohorts by hand, not both."));
      return FALSE;
    }
  if (def->cohorts->len > TRAJ_COHORT_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("At most %d cohorts can be compared side by side (%u were defined)."),
                   TRAJ_COHORT_MAX, def->cohorts->len);
      return FALSE;
    }
  if (!filter_validate (&def->filter, error))
    return FALSE;
  for (guint k = 0; k < def->cohorts->len; k++)
    if (!filter_validate (&((const TrajCohortSpec *) g_ptr_array_index (def->cohorts, k))->filter, error))
      return FALSE;
  return TRUE;
}

/* ---- JSON ------------------------------------------------------------------------ */

typedef const char *(*CodeFunc) (guint value);

static const char *indication_code (guint v) { return traj_indication_to_string ((TrajIndication) v); }
static const char *route_code (guint v) { return traj_route_to_string ((TrajRoute) v); }
static const char *medicine_code (guint v) { return traj_medicine_to_string ((TrajMedicine) v); }
static const char *sex_code (guint v) { return traj_sex_to_string ((TrajSex) v); }
static const char *age_band_code (guint v) { return traj_age_band_to_string ((TrajAgeBand) v); }

static gboolean indication_parse (const char *s, guint *v) { TrajIndication x; if (!traj_indication_from_string (s, &x)) return FALSE; *v = x; return TRUE; }
static gboolean route_parse (const char *s, guint *v) { TrajRoute x; if (!traj_route_from_string (s, &x)) return FALSE; *v = x; return TRUE; }
static gboolean medicine_parse (const char *s, guint *v) { TrajMedicine x; if (!traj_medicine_from_string (s, &x)) return FALSE; *v = x; return TRUE; }
static gboolean sex_parse (const char *s, guint *v) { TrajSex x; if (!traj_sex_from_string (s, &x)) return FALSE; *v = x; return TRUE; }
static gboolean age_band_parse (const char *s, guint *v) { TrajAgeBand x; if (!traj_age_band_from_string (s, &x)) return FALSE; *v = x; return TRUE; }

typedef struct {
  const char *member;
  gsize offset;
  guint n;
  CodeFunc code;
  gboolean (*parse) (const char *s, guint *v);
} MaskMember;

static const MaskMember mask_members[] = {
  { "indication", G_STRUCT_OFFSET (TrajCohortFilter, indications), TRAJ_N_INDICATIONS, indication_code, indication_parse },
  { "route", G_STRUCT_OFFSET (TrajCohortFilter, routes), TRAJ_N_ROUTES, route_code, route_parse },
  { "medicine", G_STRUCT_OFFSET (TrajCohortFilter, medicines), TRAJ_N_MEDICINES, medicine_code, medicine_parse },
  { "sex", G_STRUCT_OFFSET (TrajCohortFilter, sexes), TRAJ_N_SEXES, sex_code, sex_parse },
  { "age_band", G_STRUCT_OFFSET (TrajCohortFilter, age_bands), TRAJ_N_AGE_BANDS, age_band_code, age_band_parse },
};

static void
add_day_member (JsonBuilder *b, const char *name, gint32 day)
{
  g_autofree char *iso = NULL;

  if (day == TRAJ_DAY_NONE)
    return;
  iso = traj_day_to_iso (day);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, iso);
}

static void
add_strv_member (JsonBuilder *b, const char *name, char **list)
{
  if (list == NULL || list[0] == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint k = 0; list[k]; k++)
    json_builder_add_string_value (b, list[k]);
  json_builder_end_array (b);
}

static void
filter_to_json (JsonBuilder *b, const TrajCohortFilter *f)
{
  json_builder_begin_object (b);
  for (guint m = 0; m < G_N_ELEMENTS (mask_members); m++)
    {
      guint mask = G_STRUCT_MEMBER (guint, f, mask_members[m].offset);
      if (mask == 0)
        continue;
      json_builder_set_member_name (b, mask_members[m].member);
      json_builder_begin_array (b);
      for (guint v = 0; v < mask_members[m].n; v++)
        if (mask & (1u << v))
          json_builder_add_string_value (b, mask_members[m].code (v));
      json_builder_end_array (b);
    }
  add_strv_member (b, "protocol", f->protocols);
  add_strv_member (b, "clinician", f->clinicians);
  add_day_member (b, "start_from", f->start_from);
  add_day_member (b, "start_to", f->start_to);
  json_builder_end_object (b);
}

static char *
codes_of (const MaskMember *m)
{
  GString *s = g_string_new (NULL);

  for (guint v = 0; v < m->n; v++)
    {
      if (v)
        g_string_append (s, ", ");
      g_string_append (s, m->code (v));
    }
  return g_string_free (s, FALSE);
}

static char **
strv_append (char **list, const char *value)
{
  guint n = list ? g_strv_length (list) : 0;

  list = g_renew (char *, list, n + 2);
  list[n] = g_strdup (value);
  list[n + 1] = NULL;
  return list;
}

gboolean
traj_cohort_filter_parse (TrajCohortFilter  *f,
                          const char        *key,
                          const char        *value,
                          GError           **error)
{
  g_autofree char *k = NULL;

  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  k = g_strdelimit (g_strstrip (g_strdup (key)), "-", '_');
  value = value ? value : "";

  for (guint m = 0; m < G_N_ELEMENTS (mask_members); m++)
    {
      g_auto(GStrv) parts = NULL;
      guint *mask;

      if (!g_str_equal (k, mask_members[m].member))
        continue;
      mask = &G_STRUCT_MEMBER (guint, f, mask_members[m].offset);
      parts = g_strsplit (value, ",", -1);
      for (guint j = 0; parts[j]; j++)
        {
          guint v;
          g_strstrip (parts[j]);
          if (*parts[j] == '\0')
            continue;
          if (!mask_members[m].parse (parts[j], &v))
            {
              g_autofree char *codes = codes_of (&mask_members[m]);
              g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("Unknown %s “%s” (use one of: %s)."), mask_members[m].member, parts[j], codes);
              return FALSE;
            }
          *mask |= 1u << v;
        }
      return TRUE;
    }
  if (g_str_equal (k, "protocol") || g_str_equal (k, "clinician"))
    {
      char ***list = g_str_equal (k, "protocol") ? &f->protocols : &f->clinicians;
      *list = strv_append (*list, value);
      return TRUE;
    }
  if (g_str_equal (k, "from") || g_str_equal (k, "to") ||
      g_str_equal (k, "start_from") || g_str_equal (k, "start_to"))
    {
      gint32 day = traj_day_from_iso (value);
      if (day == TRAJ_DAY_NONE)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("“%s” is not a date (YYYY-MM-DD)."), value);
          return FALSE;
        }
      if (g_str_has_suffix (k, "from"))
        f->start_from = day;
      else
        f->start_to = day;
      return TRUE;
    }
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               _("Unknown cohort criterion “%s” (use indication, route, medicine, sex, age_band, protocol, "
                 "clinician, from or to)."), key);
  return FALSE;
}

char *
traj_cohort_definition_to_json (const TrajCohortDefinition *def)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (def != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, DEFINITION_VERSION);
  json_builder_set_member_name (b, "scale");
  if (def->scale == TRAJ_SCALE_NONE)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, traj_scale_code (def->scale));
  json_builder_set_member_name (b, "group_by");
  if (def->group_by == TRAJ_COHORT_FIELD_NONE)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, traj_cohort_field_to_string (def->group_by));
  json_builder_set_member_name (b, "filter");
  filter_to_json (b, &def->filter);
  json_builder_set_member_name (b, "cohorts");
  json_builder_begin_array (b);
  for (guint k = 0; k < def->cohorts->len; k++)
    {
      const TrajCohortSpec *s = g_ptr_array_index (def->cohorts, k);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, s->label ? s->label : "");
      json_builder_set_member_name (b, "filter");
      filter_to_json (b, &s->filter);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return traj_json_generate (gen, NULL);
}

static gboolean
bad_definition (GError **error, const char *what, const char *value)
{
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               _("The cohort definition is not valid: unknown %s “%s”."), what, value ? value : "");
  return FALSE;
}

/* A list of strings, or a single string, as a NULL-terminated vector. */
static gboolean
read_strings (JsonNode *node, const char *member, GPtrArray *out, GError **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_ptr_array_add (out, g_strdup (json_node_get_string (node)));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_definition (error, member, "(not a list)");
  for (guint k = 0; k < json_array_get_length (json_node_get_array (node)); k++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (node), k);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return bad_definition (error, member, "(not text)");
      g_ptr_array_add (out, g_strdup (json_node_get_string (e)));
    }
  return TRUE;
}

static gboolean
read_day (JsonObject *o, const char *member, gint32 *day, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  const char *s;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  s = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
  *day = s ? traj_day_from_iso (s) : TRAJ_DAY_NONE;
  if (*day == TRAJ_DAY_NONE)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The cohort definition is not valid: “%s” is not a date (YYYY-MM-DD)."), s ? s : member);
      return FALSE;
    }
  return TRUE;
}

static gboolean
filter_from_json (JsonNode *node, TrajCohortFilter *f, GError **error)
{
  JsonObject *o;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_definition (error, "filter", "(not an object)");
  o = json_node_get_object (node);

  for (guint m = 0; m < G_N_ELEMENTS (mask_members); m++)
    {
      JsonNode *n = json_object_get_member (o, mask_members[m].member);
      g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
      guint *mask = &G_STRUCT_MEMBER (guint, f, mask_members[m].offset);

      if (n == NULL || JSON_NODE_HOLDS_NULL (n))
        continue;
      if (!read_strings (n, mask_members[m].member, codes, error))
        return FALSE;
      for (guint k = 0; k < codes->len; k++)
        {
          guint v;
          if (!mask_members[m].parse (g_ptr_array_index (codes, k), &v))
            return bad_definition (error, mask_members[m].member, g_ptr_array_index (codes, k));
          *mask |= 1u << v;
        }
    }
  for (guint m = 0; m < 2; m++)
    {
      const char *member = m == 0 ? "protocol" : "clinician";
      char ***list = m == 0 ? &f->protocols : &f->clinicians;
      JsonNode *n = json_object_get_member (o, member);
      GPtrArray *values;

      if (n == NULL || JSON_NODE_HOLDS_NULL (n))
        continue;
      values = g_ptr_array_new_with_free_func (g_free);
      if (!read_strings (n, member, values, error))
        {
          g_ptr_array_unref (values);
          return FALSE;
        }
      g_ptr_array_set_free_func (values, NULL);
      g_ptr_array_add (values, NULL);
      g_strfreev (*list);
      *list = (char **) g_ptr_array_free (values, FALSE);
    }
  return read_day (o, "start_from", &f->start_from, error) &&
         read_day (o, "start_to", &f->start_to, error);
}

TrajCohortDefinition *
traj_cohort_definition_from_json (const char  *json,
                                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(GError) parse_error = NULL;
  JsonObject *o;
  JsonNode *n;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &parse_error))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The cohort definition is not valid JSON: %s"), parse_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      bad_definition (error, "definition", "(not an object)");
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));

  if (json_object_get_int_member_with_default (o, "version", DEFINITION_VERSION) > DEFINITION_VERSION)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NEWER_SCHEMA,
                           _("The cohort definition was saved by a newer version of Trajectory."));
      return NULL;
    }

  n = json_object_get_member (o, "scale");
  if (n && !JSON_NODE_HOLDS_NULL (n))
    {
      const TrajScale *s = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
                           ? traj_scale_lookup (json_node_get_string (n)) : NULL;
      if (s == NULL || s->measure != TRAJ_MEASURE_OUTCOME)
        {
          bad_definition (error, "scale", JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL);
          return NULL;
        }
      def->scale = s->id;
    }

  n = json_object_get_member (o, "group_by");
  if (n && !JSON_NODE_HOLDS_NULL (n))
    {
      const char *s = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
                      ? json_node_get_string (n) : NULL;
      if (!traj_cohort_field_from_string (s, &def->group_by))
        {
          bad_definition (error, "group-by field", s);
          return NULL;
        }
    }

  if (!filter_from_json (json_object_get_member (o, "filter"), &def->filter, error))
    return NULL;

  n = json_object_get_member (o, "cohorts");
  if (n && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      for (guint k = 0; k < json_array_get_length (a); k++)
        {
          JsonNode *e = json_array_get_element (a, k);
          JsonObject *co;
          TrajCohortFilter *f;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            {
              bad_definition (error, "cohort", "(not an object)");
              return NULL;
            }
          co = json_node_get_object (e);
          f = traj_cohort_definition_add (def, json_object_get_string_member_with_default (co, "label", NULL));
          if (!filter_from_json (json_object_get_member (co, "filter"), f, error))
            return NULL;
        }
    }
  else if (n && !JSON_NODE_HOLDS_NULL (n))
    {
      bad_definition (error, "cohorts", "(not a list)");
      return NULL;
    }

  if (!traj_cohort_definition_validate (def, error))
    return NULL;
  return g_steal_pointer (&def);
}

gboolean
traj_cohort_definition_save (TrajStore                  *store,
                             const char                 *name,
                             const TrajCohortDefinition *def,
                             gboolean                    replace,
                             GError                    **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (def != NULL, FALSE);

  if (!traj_cohort_definition_validate (def, error))
    return FALSE;
  json = traj_cohort_definition_to_json (def);
  return traj_store_save_cohort (store, name, json, replace, NULL, error);
}

TrajCohortDefinition *
traj_cohort_definition_load (TrajStore   *store,
                             const char  *name,
                             GError     **error)
{
  g_autoptr(TrajSavedCohort) saved = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);

  saved = traj_store_find_cohort (store, name, error);
  if (saved == NULL)
    return NULL;
  return traj_cohort_definition_from_json (saved->definition, error);
}

/* ---- one patient's courses ----------------------------------------------------------- */

void
traj_cohort_course_free (TrajCohortCourse *c)
{
  if (c == NULL)
    return;
  g_free (c->course_uid);
  g_free (c->patient_uid);
  g_free (c->mrn);
  g_free (c->indication_detail);
  g_free (c->protocol);
  g_free (c->clinician);
  g_free (c->by_infusion);
  g_free (c->by_week);
  g_free (c->cadss);
  g_free (c->moaas);
  g_free (c);
}

typedef struct {
  const TrajPatientRecords *r;
  const TrajThresholds *t;
  gint64 as_of;
  gint32 as_of_day;
  GPtrArray *courses;       /* const TrajCourse*, in the engine's order */
  GPtrArray *infusions;     /* const TrajInfusion*, visible, by time */
  GPtrArray *assessments;   /* const TrajAssessment*, visible, by time */
} PatientCtx;

static gboolean
visible (const PatientCtx *p, gint64 at)
{
  return p->as_of == TRAJ_TIME_NONE || at <= p->as_of;
}

static int
compare_courses (gconstpointer a, gconstpointer b)
{
  const TrajCourse *x = *(const TrajCourse * const *) a;
  const TrajCourse *y = *(const TrajCourse * const *) b;

  if (x->start_day != y->start_day)
    return x->start_day < y->start_day ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
compare_infusions (gconstpointer a, gconstpointer b)
{
  const TrajInfusion *x = *(const TrajInfusion * const *) a;
  const TrajInfusion *y = *(const TrajInfusion * const *) b;

  if (x->started_at != y->started_at)
    return x->started_at < y->started_at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
compare_assessments (gconstpointer a, gconstpointer b)
{
  const TrajAssessment *x = *(const TrajAssessment * const *) a;
  const TrajAssessment *y = *(const TrajAssessment * const *) b;

  if (x->taken_at != y->taken_at)
    return x->taken_at < y->taken_at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* The course's span for assessments attached to neither a course nor an
 * infusion of one: traj_outcomes_course_span / traj_outcomes_counts_for_course,
 * the engine's own rule. The result is still checked against the engine's
 * count of attributed assessments for every course (see check_engine()). */
typedef struct {
  const TrajCourse *course;
  GPtrArray *infusions;     /* const TrajInfusion*, visible, by time */
  gint32 span_start;
  gint32 span_end;
} CourseSpan;

static void
course_span_init (const PatientCtx *p, guint index, CourseSpan *cs)
{
  const TrajCourse *c = g_ptr_array_index (p->courses, index);

  cs->course = c;
  cs->infusions = g_ptr_array_new ();
  for (guint k = 0; k < p->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (p->infusions, k);
      if (i->course_id == c->id)
        g_ptr_array_add (cs->infusions, (gpointer) i);
    }
  /* The engine's own attribution rule, not a copy of it. */
  traj_outcomes_course_span (p->r, p->t, p->as_of, c, &cs->span_start, &cs->span_end);
}

static gboolean
attributed (const PatientCtx *p, const CourseSpan *cs, const TrajAssessment *a)
{
  return traj_outcomes_counts_for_course (p->r, cs->course, cs->span_start, cs->span_end, a);
}

static const TrajAssessment *
find_assessment_by_ref (const PatientCtx *p, const char *ref)
{
  for (guint k = 0; ref && k < p->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (p->assessments, k);
      if (a->uid && *a->uid ? g_str_equal (a->uid, ref)
                            : g_str_has_prefix (ref, "id-") && g_ascii_strtoll (ref + 3, NULL, 10) == a->id)
        return a;
    }
  return NULL;
}

static gboolean
at_or_below (int score, double threshold)
{
  /* integer scores against R·B without floating error, as the engine does */
  return (double) score <= threshold + 1e-9;
}

/* The cohort must not quietly disagree with the engine: the assessments it
 * attributes to a course and the end of induction must be the engine's. A
 * disagreement is a bug (fatal in the tests); it is reported once, not for
 * every course of a clinic. */
static void
check_engine (const TrajCourse *c, const TrajOutcome *o, guint n_series, gint32 induction_end_day)
{
  static gint warned = 0;
  guint n_engine = o ? (guint) o->n_assessments : 0;
  gint32 end_engine = o ? o->induction_end_day : induction_end_day;

  if (n_engine == n_series && end_engine == induction_end_day)
    return;
  if (g_atomic_int_compare_and_exchange (&warned, 0, 1))
    g_warning ("Course %s: the cohort sees %u %s assessments and induction end %d, the outcomes engine %u and %d; "
               "cohort figures may differ from the patient page",
               c->uid ? c->uid : "?", n_series, traj_scale_code (o ? o->scale : TRAJ_SCALE_NONE),
               induction_end_day, n_engine, end_engine);
}

static void
fill_scores (const PatientCtx *p, TrajCohortCourse *cc, const CourseSpan *cs, GPtrArray *series, const TrajOutcome *o)
{
  const TrajInfusion *nth;
  gint64 nth_at;
  gint32 e = cc->induction_end_day;

  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      cc->at[tp].score = -1;
      cc->at[tp].day = TRAJ_DAY_NONE;
    }
  if (!cc->induction_complete)
    return;
  nth = g_ptr_array_index (cs->infusions, cc->induction_length - 1);
  nth_at = nth->started_at;

  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      TrajCohortScore *s = &cc->at[tp];
      const TrajAssessment *best = NULL;
      int best_gap = G_MAXINT;
      gint32 target = e + timepoint_days[tp];
      gint32 window_end = target + TRAJ_COHORT_WINDOW_DAYS;

      for (guint k = 0; k < series->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (series, k);
          gint32 d = traj_day_from_time (a->taken_at);
          int gap;

          if (a->taken_at <= nth_at)
            continue;
          if (d > window_end)
            break;
          if (tp == TRAJ_COHORT_AT_EOI)
            {
              best = a;   /* the first one after infusion N */
              break;
            }
          gap = ABS (d - target);
          if (gap <= TRAJ_COHORT_WINDOW_DAYS && gap < best_gap)
            {
              best = a;
              best_gap = gap;
            }
        }
      s->due = p->as_of_day > window_end;
      if (best == NULL)
        continue;
      s->score = best->total;
      s->day = traj_day_from_time (best->taken_at);
      if (o != NULL && o->response_computable)
        s->response = at_or_below (best->total, o->response_threshold);
      if (o != NULL && o->remission_computable)
        s->remission = best->total <= o->remission_max;
    }
}

static void
fill_chart (const PatientCtx *p, TrajCohortCourse *cc, const CourseSpan *cs, GPtrArray *series)
{
  guint n_inf = MIN (cs->infusions->len, TRAJ_COHORT_MAX_INFUSION_POINTS);
  const TrajInfusion *first = cs->infusions->len ? g_ptr_array_index (cs->infusions, 0) : NULL;
  int n_weeks = 0;

  cc->n_by_infusion = (int) n_inf + 1;
  cc->by_infusion = g_new (int, cc->n_by_infusion);
  cc->by_infusion[0] = cc->has_baseline ? cc->baseline : -1;
  for (guint k = 1; k <= n_inf; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (cs->infusions, k - 1);
      const TrajInfusion *next = k < cs->infusions->len ? g_ptr_array_index (cs->infusions, k) : NULL;
      gint32 last_day = traj_day_from_time (i->started_at) + TRAJ_COHORT_WINDOW_DAYS;

      cc->by_infusion[k] = -1;
      for (guint j = 0; j < series->len; j++)
        {
          const TrajAssessment *a = g_ptr_array_index (series, j);
          if (a->taken_at <= i->started_at)
            continue;
          if ((next && a->taken_at > next->started_at) || traj_day_from_time (a->taken_at) > last_day)
            break;
          cc->by_infusion[k] = a->total;    /* the latest in the window */
        }
    }

  if (first != NULL && cc->start_day != TRAJ_DAY_NONE && series->len > 0)
    {
      gint32 last = traj_day_from_time (((const TrajAssessment *) g_ptr_array_index (series, series->len - 1))->taken_at);
      n_weeks = CLAMP ((last - cc->start_day + 6) / 7, 0, TRAJ_COHORT_MAX_WEEK_POINTS);
    }
  cc->n_by_week = n_weeks + 1;
  cc->by_week = g_new (int, cc->n_by_week);
  cc->by_week[0] = cc->has_baseline ? cc->baseline : -1;
  for (int w = 1; w <= n_weeks; w++)
    cc->by_week[w] = -1;
  for (guint j = 0; first != NULL && j < series->len; j++)
    {
      const TrajAssessment *a = g_ptr_array_index (series, j);
      int d = traj_day_from_time (a->taken_at) - cc->start_day;
      int w = (d + 6) / 7;      /* days 7w − 6 … 7w → w */

      if (a->taken_at <= first->started_at || d < 1 || w > n_weeks)
        continue;
      cc->by_week[w] = a->total;
    }
}

static TrajCohortCourse *
collect_course (const PatientCtx    *p,
                guint                index,
                const TrajOutcomes  *outcomes,
                TrajScaleId          scale)
{
  const TrajPatient *patient = p->r->patient;
  CourseSpan cs;
  const TrajCourse *c;
  const TrajOutcome *o, *po;
  TrajCohortCourse *cc = g_new0 (TrajCohortCourse, 1);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  gint32 last_event_day = TRAJ_DAY_NONE;

  course_span_init (p, index, &cs);
  c = cs.course;

  cc->course_id = c->id;
  cc->course_uid = g_strdup (c->uid);
  cc->patient_id = patient->id;
  cc->patient_uid = g_strdup (patient->uid);
  cc->mrn = g_strdup (patient->mrn);
  cc->indication = c->indication;
  if (c->indication_detail && *c->indication_detail)
    cc->indication_detail = g_strdup (c->indication_detail);
  else if (c->indication == patient->indication && patient->indication_detail)
    cc->indication_detail = g_strdup (patient->indication_detail);
  else
    cc->indication_detail = g_strdup ("");
  cc->protocol = g_strdup (c->protocol ? c->protocol : "");
  cc->start_day = c->start_day;
  cc->status = c->status;
  cc->sex = patient->sex;
  cc->age = patient->birth_day != TRAJ_DAY_NONE && c->start_day != TRAJ_DAY_NONE
            ? traj_age_years (patient->birth_day, c->start_day) : c->age_at_start;
  cc->age_band = traj_age_band_for_age (cc->age);
  cc->benzodiazepine_at_start = traj_medications_class_on (p->r, TRAJ_MED_CLASS_BENZODIAZEPINE, c->start_day);
  cc->lamotrigine_at_start = traj_medications_class_on (p->r, TRAJ_MED_CLASS_LAMOTRIGINE, c->start_day);
  cc->substance_use = patient->substance_use;
  if (cs.infusions->len > 0)
    {
      const TrajInfusion *first = g_ptr_array_index (cs.infusions, 0);
      cc->has_infusion = TRUE;
      cc->route = first->route;
      cc->medicine = first->medicine;
      cc->clinician = g_strdup (first->clinician ? first->clinician : "");
    }
  else
    cc->clinician = g_strdup ("");

  cc->scale = scale != TRAJ_SCALE_NONE ? scale : c->primary_scale;
  o = traj_outcomes_find (outcomes, c->id, cc->scale);
  po = traj_outcomes_find (outcomes, c->id, c->primary_scale);
  if (po == NULL)
    po = o;
  cc->has_outcome = o != NULL;
  if (o != NULL)
    {
      cc->has_baseline = o->has_baseline;
      cc->baseline = o->baseline;
      cc->response_computable = o->response_computable;
      cc->response_threshold = o->response_computable ? o->response_threshold : NAN;
      cc->remission_max = o->remission_max;
    }
  else
    {
      cc->response_threshold = NAN;
      cc->remission_max = p->t->remission_max[CLAMP (cc->scale, 0, TRAJ_N_SCALES - 1)];
    }

  /* Induction as the engine counts it. Only a course with no scale at all
   * has no engine outcome to read it from; it then follows the same rule. */
  cc->n_infusions = (int) cs.infusions->len;
  cc->cadss = g_new (int, MAX (cc->n_infusions, 1));
  cc->moaas = g_new (int, MAX (cc->n_infusions, 1));
  for (int k = 0; k < cc->n_infusions; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (cs.infusions, k);
      cc->cadss[k] = i->cadss_total;
      cc->moaas[k] = i->moaas_lowest;
    }
  cc->induction_length = po ? po->induction_length
                            : (c->induction_length > 0 ? c->induction_length : p->t->induction_length);
  cc->induction_complete = cc->induction_length > 0 && cc->n_infusions >= cc->induction_length;
  cc->induction_end_day = TRAJ_DAY_NONE;
  if (cc->induction_complete)
    cc->induction_end_day = traj_day_from_time (((const TrajInfusion *) g_ptr_array_index (cs.infusions, cc->induction_length - 1))->started_at);

  for (guint k = 0; k < p->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (p->assessments, k);

      if (!attributed (p, &cs, a))
        continue;
      last_event_day = MAX (last_event_day, traj_day_from_time (a->taken_at));
      if (a->scale == cc->scale && a->complete && a->total >= 0)
        g_ptr_array_add (series, (gpointer) a);
    }
  check_engine (c, o, series->len, cc->induction_end_day);

  fill_scores (p, cc, &cs, series, o);

  /* Completion of induction. */
  if (cc->n_infusions > 0)
    {
      const TrajInfusion *last = g_ptr_array_index (cs.infusions, cs.infusions->len - 1);
      cc->completion_counted = cc->induction_complete || c->status != TRAJ_COURSE_INDUCTION ||
                               p->as_of_day - traj_day_from_time (last->started_at) > TRAJ_COHORT_STALLED_DAYS;
      last_event_day = MAX (last_event_day, traj_day_from_time (last->started_at));
    }

  /* First response, as the engine dates it. */
  cc->infusions_to_response = -1;
  if (o != NULL && o->response_reached)
    {
      cc->response_reached = TRUE;
      cc->infusions_to_response = 0;
      for (guint k = 0; k < cs.infusions->len; k++)
        if (((const TrajInfusion *) g_ptr_array_index (cs.infusions, k))->started_at < o->response_at)
          cc->infusions_to_response++;
    }

  /* Time to the first booster after induction. */
  if (cc->induction_complete)
    {
      gint32 end = last_event_day;

      cc->km_included = TRUE;
      for (guint k = (guint) cc->induction_length; k < cs.infusions->len; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (cs.infusions, k);
          if (i->phase == TRAJ_PHASE_BOOSTER)
            {
              cc->km_event = TRUE;
              cc->km_days = traj_day_from_time (i->started_at) - cc->induction_end_day;
              break;
            }
        }
      if (!cc->km_event)
        {
          if (c->end_day != TRAJ_DAY_NONE)
            end = c->end_day;
          if (p->as_of != TRAJ_TIME_NONE)
            end = MIN (end, p->as_of_day);
          cc->km_days = MAX (0, end - cc->induction_end_day);
        }
    }

  /* Findings of the engine that rest on this course's records. */
  for (guint k = 0; k < outcomes->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (outcomes->findings, k);

      if (!visible (p, f->fired_at))
        continue;
      if (f->kind == TRAJ_FINDING_MONITORING && f->course_id == c->id)
        cc->n_monitoring++;
      else if (f->kind == TRAJ_FINDING_SAFETY && f->record_uids && f->record_uids[0])
        {
          const TrajAssessment *a = find_assessment_by_ref (p, f->record_uids[0]);
          if (a != NULL && attributed (p, &cs, a))
            cc->n_safety++;
        }
    }

  fill_chart (p, cc, &cs, series);
  g_ptr_array_unref (cs.infusions);
  return cc;
}

static GPtrArray *
visible_sorted (const PatientCtx *p, GPtrArray *in, GCompareFunc compare, gsize time_offset)
{
  GPtrArray *out = g_ptr_array_sized_new (in ? in->len : 0);

  for (guint k = 0; in && k < in->len; k++)
    {
      gpointer x = g_ptr_array_index (in, k);
      if (visible (p, G_STRUCT_MEMBER (gint64, x, time_offset)))
        g_ptr_array_add (out, x);
    }
  traj_records_sort (out, compare);
  return out;
}

/* What stays the same for every patient of a scan, worked out once: the
 * local zone (a lookup of its own each time otherwise) and the analysis day. */
typedef struct {
  const TrajThresholds *t;
  TrajScaleId scale;
  gint64 as_of;
  gint32 as_of_day;
} Collect;

static void
collect_init (Collect *c, const TrajThresholds *t, TrajScaleId scale, gint64 as_of)
{
  c->t = t;
  c->scale = scale;
  c->as_of = as_of;
  c->as_of_day = traj_day_from_time (as_of != TRAJ_TIME_NONE ? as_of : traj_time_now ());
}

static void
collect_patient (const Collect *c, const TrajPatientRecords *r, GPtrArray *out)
{
  g_autoptr(TrajOutcomes) outcomes = NULL;
  PatientCtx p = { 0 };

  if (r->patient == NULL || r->courses == NULL || r->courses->len == 0)
    return;

  outcomes = traj_outcomes_compute_bare (r, c->t, c->as_of);
  p.r = r;
  p.t = c->t;
  p.as_of = c->as_of;
  p.as_of_day = c->as_of_day;
  p.courses = g_ptr_array_sized_new (r->courses->len);
  for (guint k = 0; k < r->courses->len; k++)
    g_ptr_array_add (p.courses, g_ptr_array_index (r->courses, k));
  traj_records_sort (p.courses, compare_courses);
  p.infusions = visible_sorted (&p, r->infusions, compare_infusions, G_STRUCT_OFFSET (TrajInfusion, started_at));
  p.assessments = visible_sorted (&p, r->assessments, compare_assessments, G_STRUCT_OFFSET (TrajAssessment, taken_at));

  for (guint k = 0; k < p.courses->len; k++)
    g_ptr_array_add (out, collect_course (&p, k, outcomes, c->scale));

  g_ptr_array_unref (p.courses);
  g_ptr_array_unref (p.infusions);
  g_ptr_array_unref (p.assessments);
}

void
traj_cohort_collect_courses (const TrajPatientRecords *r,
                             const TrajThresholds     *t,
                             TrajScaleId               scale,
                             gint64                    as_of,
                             GPtrArray                *out)
{
  Collect c;

  g_return_if_fail (r != NULL && r->patient != NULL);
  g_return_if_fail (t != NULL);
  g_return_if_fail (out != NULL);

  collect_init (&c, t, scale, as_of);
  collect_patient (&c, r, out);
}

/* ---- groups ------------------------------------------------------------------------ */

char *
traj_cohort_course_group_key (const TrajCohortCourse *c,
                              TrajCohortField         field)
{
  g_return_val_if_fail (c != NULL, NULL);

  switch (field)
    {
    case TRAJ_COHORT_FIELD_INDICATION:
      return g_strdup (traj_indication_to_string (c->indication));
    case TRAJ_COHORT_FIELD_INDICATION_DETAIL:
      return g_strdup (c->indication_detail && *c->indication_detail ? c->indication_detail : "none");
    case TRAJ_COHORT_FIELD_ROUTE:
      return g_strdup (c->has_infusion ? traj_route_to_string (c->route) : "none");
    case TRAJ_COHORT_FIELD_MEDICINE:
      return g_strdup (c->has_infusion ? traj_medicine_to_string (c->medicine) : "none");
    case TRAJ_COHORT_FIELD_SEX:
      return g_strdup (traj_sex_to_string (c->sex));
    case TRAJ_COHORT_FIELD_AGE_BAND:
      return g_strdup (traj_age_band_to_string (c->age_band));
    case TRAJ_COHORT_FIELD_PROTOCOL:
      return g_strdup (c->protocol && *c->protocol ? c->protocol : "none");
    case TRAJ_COHORT_FIELD_CLINICIAN:
      return g_strdup (c->has_infusion && c->clinician && *c->clinician ? c->clinician : "none");
    case TRAJ_COHORT_FIELD_START_YEAR:
      {
        int y, m, d;
        if (c->start_day == TRAJ_DAY_NONE || !traj_day_to_ymd (c->start_day, &y, &m, &d))
          return g_strdup ("none");
        return g_strdup_printf ("%d", y);
      }
    case TRAJ_COHORT_FIELD_BENZODIAZEPINE:
      return g_strdup (c->benzodiazepine_at_start ? "yes" : "no");
    case TRAJ_COHORT_FIELD_LAMOTRIGINE:
      return g_strdup (c->lamotrigine_at_start ? "yes" : "no");
    case TRAJ_COHORT_FIELD_SUBSTANCE_USE:
      return g_strdup (traj_substance_use_to_string (c->substance_use));
    case TRAJ_COHORT_FIELD_NONE:
    case TRAJ_N_COHORT_FIELDS:
    default:
      return g_strdup ("all");
    }
}

char *
traj_cohort_group_label (TrajCohortField  field,
                         const char      *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  switch (field)
    {
    case TRAJ_COHORT_FIELD_INDICATION:
      {
        TrajIndication v;
        if (traj_indication_from_string (key, &v))
          return g_strdup (traj_indication_label (v));
        break;
      }
    case TRAJ_COHORT_FIELD_INDICATION_DETAIL:
      if (traj_indication_detail_label (key))
        return g_strdup (traj_indication_detail_label (key));
      if (g_str_equal (key, "none"))
        return g_strdup (_("No indication detail"));
      break;
    case TRAJ_COHORT_FIELD_ROUTE:
      {
        TrajRoute v;
        if (traj_route_from_string (key, &v))
          return g_strdup (traj_route_label (v));
        if (g_str_equal (key, "none"))
          return g_strdup (_("No infusion yet"));
        break;
      }
    case TRAJ_COHORT_FIELD_MEDICINE:
      {
        TrajMedicine v;
        if (traj_medicine_from_string (key, &v))
          return g_strdup (traj_medicine_label (v));
        if (g_str_equal (key, "none"))
          return g_strdup (_("No infusion yet"));
        break;
      }
    case TRAJ_COHORT_FIELD_SEX:
      {
        TrajSex v;
        if (traj_sex_from_string (key, &v))
          return g_strdup (traj_sex_label (v));
        break;
      }
    case TRAJ_COHORT_FIELD_AGE_BAND:
      {
        TrajAgeBand v;
        if (traj_age_band_from_string (key, &v))
          return g_strdup (traj_age_band_label (v));
        break;
      }
    case TRAJ_COHORT_FIELD_PROTOCOL:
      if (g_str_equal (key, "none"))
        return g_strdup (_("No protocol label"));
      break;
    case TRAJ_COHORT_FIELD_CLINICIAN:
      if (g_str_equal (key, "none"))
        return g_strdup (_("No clinician recorded"));
      break;
    case TRAJ_COHORT_FIELD_START_YEAR:
      if (g_str_equal (key, "none"))
        return g_strdup (_("No start date"));
      break;
    case TRAJ_COHORT_FIELD_BENZODIAZEPINE:
      if (g_str_equal (key, "yes"))
        return g_strdup (_("Benzodiazepine at course start"));
      if (g_str_equal (key, "no"))
        return g_strdup (_("No benzodiazepine at course start"));
      break;
    case TRAJ_COHORT_FIELD_LAMOTRIGINE:
      if (g_str_equal (key, "yes"))
        return g_strdup (_("Lamotrigine at course start"));
      if (g_str_equal (key, "no"))
        return g_strdup (_("No lamotrigine at course start"));
      break;
    case TRAJ_COHORT_FIELD_SUBSTANCE_USE:
      if (g_str_equal (key, "unknown"))
        return g_strdup (_("Substance use not recorded"));
      if (g_str_equal (key, "none"))
        return g_strdup (_("No history of substance use"));
      if (g_str_equal (key, "past"))
        return g_strdup (_("Past substance use"));
      if (g_str_equal (key, "current"))
        return g_strdup (_("Current substance use"));
      break;
    case TRAJ_COHORT_FIELD_NONE:
    case TRAJ_N_COHORT_FIELDS:
    default:
      if (g_str_equal (key, "all"))
        return g_strdup (_("All courses"));
      break;
    }
  return g_strdup (key);
}

/* Natural order of a field's groups: the enum's order, years ascending,
 * text by collation; "none" and "unknown" last. */
static int
group_rank (TrajCohortField field, const char *key)
{
  guint v = 0;

  if (field == TRAJ_COHORT_FIELD_SUBSTANCE_USE)
    {
      TrajSubstanceUse use;

      /* none, past, current; not recorded last */
      if (!traj_substance_use_from_string (key, &use))
        return G_MAXINT - 1;
      return use == TRAJ_SUBSTANCE_USE_UNKNOWN ? G_MAXINT : (int) use;
    }
  if (g_str_equal (key, "none"))
    return G_MAXINT;
  switch (field)
    {
    case TRAJ_COHORT_FIELD_INDICATION:
      return indication_parse (key, &v) ? (int) v : G_MAXINT - 1;
    case TRAJ_COHORT_FIELD_INDICATION_DETAIL:
      {
        int rank = 0;
        for (guint k = 0; k < TRAJ_N_INDICATIONS; k++)
          for (const char * const *d = traj_indication_details ((TrajIndication) k); *d; d++, rank++)
            if (g_str_equal (*d, key))
              return rank;
        return G_MAXINT - 1;
      }
    case TRAJ_COHORT_FIELD_ROUTE:
      return route_parse (key, &v) ? (int) v : G_MAXINT - 1;
    case TRAJ_COHORT_FIELD_MEDICINE:
      return medicine_parse (key, &v) ? (int) v : G_MAXINT - 1;
    case TRAJ_COHORT_FIELD_SEX:
      return sex_parse (key, &v) ? (int) v : G_MAXINT - 1;
    case TRAJ_COHORT_FIELD_AGE_BAND:
      return age_band_parse (key, &v) ? (int) v : G_MAXINT - 1;
    case TRAJ_COHORT_FIELD_START_YEAR:
      return (int) g_ascii_strtoll (key, NULL, 10);
    case TRAJ_COHORT_FIELD_BENZODIAZEPINE:
    case TRAJ_COHORT_FIELD_LAMOTRIGINE:
      return g_str_equal (key, "yes") ? 0 : 1;
    case TRAJ_COHORT_FIELD_SUBSTANCE_USE:
    case TRAJ_COHORT_FIELD_PROTOCOL:
    case TRAJ_COHORT_FIELD_CLINICIAN:
    case TRAJ_COHORT_FIELD_NONE:
    case TRAJ_N_COHORT_FIELDS:
    default:
      return 0;
    }
}

typedef struct {
  TrajCohortField field;
} GroupOrder;

static int
compare_group_keys (gconstpointer a, gconstpointer b, gpointer data)
{
  const GroupOrder *order = data;
  const char *x = *(const char * const *) a;
  const char *y = *(const char * const *) b;
  int rx = group_rank (order->field, x), ry = group_rank (order->field, y);

  if (rx != ry)
    return rx < ry ? -1 : 1;
  return g_utf8_collate (x, y);
}

/* ---- statistics of one cohort --------------------------------------------------------- */

static void
rate_add (TrajCohortRate *r, gboolean counted, gboolean event)
{
  if (!counted)
    return;
  r->n++;
  if (event)
    r->events++;
}

static void
rate_finish (TrajCohortRate *r)
{
  r->rate = r->n > 0 ? (double) r->events / r->n : NAN;
  traj_stats_wilson (r->events, r->n, TRAJ_STATS_Z95, &r->lower, &r->upper);
}

gboolean
traj_cohort_rate_is_small (const TrajCohortRate *r)
{
  g_return_val_if_fail (r != NULL, FALSE);
  return r->n > 0 && r->n < TRAJ_COHORT_SMALL;
}

static GArray *
chart_points (GPtrArray *courses, TrajScaleId scale, gboolean by_week)
{
  GArray *points = g_array_new (FALSE, TRUE, sizeof (TrajCohortPoint));
  g_autoptr(GArray) accs = g_array_new (FALSE, TRUE, sizeof (TrajStatsAcc));

  for (guint k = 0; k < courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (courses, k);
      int n = by_week ? c->n_by_week : c->n_by_infusion;
      const int *v = by_week ? c->by_week : c->by_infusion;

      if (c->scale != scale)
        continue;
      if ((guint) n > accs->len)
        g_array_set_size (accs, n);
      for (int x = 0; x < n; x++)
        if (v[x] >= 0)
          traj_stats_acc_add (&g_array_index (accs, TrajStatsAcc, x), v[x]);
    }
  for (guint x = 0; x < accs->len; x++)
    {
      TrajCohortPoint pt = { 0 };
      const TrajStatsAcc *acc = &g_array_index (accs, TrajStatsAcc, x);

      if (acc->n == 0)
        continue;
      pt.x = (int) x;
      traj_stats_acc_result (acc, &pt.mean);
      g_array_append_val (points, pt);
    }
  return points;
}

/* CLINICAL.md §8: mean CADSS and the share sedated, over all the
 * infusions and per infusion number. */
static void
tolerability_build (TrajCohort *h, GPtrArray *courses)
{
  g_autoptr(GArray) cadss = g_array_new (FALSE, TRUE, sizeof (TrajStatsAcc));
  g_autoptr(GArray) sedated = g_array_new (FALSE, TRUE, sizeof (TrajCohortRate));
  TrajStatsAcc all = { 0 };

  for (guint k = 0; k < courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (courses, k);

      if ((guint) c->n_infusions > cadss->len)
        {
          g_array_set_size (cadss, c->n_infusions);
          g_array_set_size (sedated, c->n_infusions);
        }
      for (int x = 0; x < c->n_infusions; x++)
        {
          if (c->cadss[x] >= 0)
            {
              traj_stats_acc_add (&g_array_index (cadss, TrajStatsAcc, x), c->cadss[x]);
              traj_stats_acc_add (&all, c->cadss[x]);
            }
          if (c->moaas[x] >= 0)
            {
              gboolean s = c->moaas[x] <= TRAJ_MOAAS_SEDATED_MAX;
              rate_add (&g_array_index (sedated, TrajCohortRate, x), TRUE, s);
              rate_add (&h->sedated, TRUE, s);
            }
        }
    }
  traj_stats_acc_result (&all, &h->cadss);
  rate_finish (&h->sedated);
  h->tolerability = g_array_new (FALSE, TRUE, sizeof (TrajCohortTolerability));
  for (guint x = 0; x < cadss->len; x++)
    {
      TrajCohortTolerability t = { 0 };

      t.infusion = (int) x + 1;
      traj_stats_acc_result (&g_array_index (cadss, TrajStatsAcc, x), &t.cadss);
      t.sedated = g_array_index (sedated, TrajCohortRate, x);
      rate_finish (&t.sedated);
      if (t.cadss.n > 0 || t.sedated.n > 0)
        g_array_append_val (h->tolerability, t);
    }
}

static TrajCohort *
cohort_build (const char *label, const char *key, GPtrArray *courses)
{
  TrajCohort *h = g_new0 (TrajCohort, 1);
  g_autoptr(GHashTable) patients = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint per_scale[TRAJ_N_SCALES] = { 0 };
  TrajStatsAcc baseline = { 0 }, change = { 0 };
  g_autoptr(GArray) to_response = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) km_time = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) km_event = g_array_new (FALSE, FALSE, sizeof (gboolean));

  h->label = g_strdup (label);
  h->key = g_strdup (key);
  h->courses = courses;
  h->n_courses = courses->len;
  h->small = h->n_courses < TRAJ_COHORT_SMALL;

  for (guint k = 0; k < courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (courses, k);
      g_hash_table_add (patients, (gpointer) &c->patient_id);
      if (c->scale > TRAJ_SCALE_NONE && c->scale < TRAJ_N_SCALES)
        per_scale[c->scale]++;
    }
  h->n_patients = g_hash_table_size (patients);
  h->scale = TRAJ_SCALE_NONE;
  for (int s = TRAJ_SCALE_NONE + 1; s < TRAJ_N_SCALES; s++)
    if (per_scale[s] > h->n_scale_courses)
      {
        h->scale = (TrajScaleId) s;
        h->n_scale_courses = per_scale[s];
      }
  h->mixed_scales = h->n_scale_courses < h->n_courses;

  for (guint k = 0; k < courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (courses, k);
      gboolean on_scale = c->scale == h->scale;

      if (on_scale && c->has_baseline)
        traj_stats_acc_add (&baseline, c->baseline);
      if (on_scale && c->has_baseline && c->induction_complete && c->at[TRAJ_COHORT_AT_EOI].due &&
          c->at[TRAJ_COHORT_AT_EOI].score >= 0)
        traj_stats_acc_add (&change, c->at[TRAJ_COHORT_AT_EOI].score - c->baseline);

      for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
        {
          const TrajCohortScore *s = &c->at[tp];
          gboolean due = c->induction_complete && s->due;

          if (due && c->response_computable)
            {
              rate_add (&h->response[tp], s->score >= 0, s->response);
              h->response[tp].excluded += s->score < 0;
            }
          if (due && c->has_baseline)
            {
              rate_add (&h->remission[tp], s->score >= 0, s->remission);
              h->remission[tp].excluded += s->score < 0;
            }
        }

      if (c->response_reached)
        {
          double v = c->infusions_to_response;
          g_array_append_val (to_response, v);
        }

      rate_add (&h->completion, c->completion_counted, c->induction_complete);
      h->completion.excluded += !c->completion_counted;

      if (c->km_included)
        {
          double t = c->km_days;
          g_array_append_val (km_time, t);
          g_array_append_val (km_event, c->km_event);
        }

      h->monitoring.n += (guint) c->n_infusions;
      h->monitoring.events += (guint) c->n_monitoring;
      rate_add (&h->safety, TRUE, c->n_safety > 0);
    }

  traj_stats_acc_result (&baseline, &h->baseline);
  traj_stats_acc_result (&change, &h->change_eoi);
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      rate_finish (&h->response[tp]);
      rate_finish (&h->remission[tp]);
    }
  h->n_responders = to_response->len;
  h->median_infusions_to_response = traj_stats_median ((double *) (void *) to_response->data, to_response->len);
  rate_finish (&h->completion);
  rate_finish (&h->monitoring);
  rate_finish (&h->safety);
  h->booster = traj_stats_kaplan_meier ((const double *) (void *) km_time->data,
                                        (const gboolean *) (void *) km_event->data, km_time->len);
  h->by_infusion = chart_points (courses, h->scale, FALSE);
  h->by_week = chart_points (courses, h->scale, TRUE);
  tolerability_build (h, courses);
  return h;
}

static void
cohort_free (TrajCohort *h)
{
  if (h == NULL)
    return;
  g_free (h->label);
  g_free (h->key);
  g_ptr_array_unref (h->courses);
  traj_km_free (h->booster);
  g_array_unref (h->by_infusion);
  g_array_unref (h->by_week);
  g_clear_pointer (&h->tolerability, g_array_unref);
  g_free (h);
}

/* ---- reports ------------------------------------------------------------------------- */

void
traj_cohort_report_free (TrajCohortReport *report)
{
  if (report == NULL)
    return;
  traj_cohort_definition_free (report->definition);
  g_ptr_array_unref (report->cohorts);
  g_ptr_array_unref (report->courses);
  g_free (report);
}

static int
compare_cohort_courses (gconstpointer a, gconstpointer b)
{
  const TrajCohortCourse *x = *(const TrajCohortCourse * const *) a;
  const TrajCohortCourse *y = *(const TrajCohortCourse * const *) b;

  if (x->patient_id != y->patient_id)
    return x->patient_id < y->patient_id ? -1 : 1;
  if (x->start_day != y->start_day)
    return x->start_day < y->start_day ? -1 : 1;
  return (x->course_id > y->course_id) - (x->course_id < y->course_id);
}

static void
build_cohorts (TrajCohortReport *report)
{
  const TrajCohortDefinition *def = report->definition;
  GPtrArray *courses = report->courses;

  if (def->group_by != TRAJ_COHORT_FIELD_NONE)
    {
      g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();
      GroupOrder order = { def->group_by };

      for (guint k = 0; k < courses->len; k++)
        {
          const TrajCohortCourse *c = g_ptr_array_index (courses, k);
          char *key;
          GPtrArray *members;

          if (!traj_cohort_filter_matches (&def->filter, c))
            continue;
          key = traj_cohort_course_group_key (c, def->group_by);
          members = g_hash_table_lookup (groups, key);
          if (members == NULL)
            {
              members = g_ptr_array_new ();
              g_hash_table_insert (groups, key, members);
              g_ptr_array_add (keys, key);
            }
          else
            g_free (key);
          g_ptr_array_add (members, (gpointer) c);
        }
      g_ptr_array_sort_with_data (keys, compare_group_keys, &order);
      for (guint k = 0; k < keys->len; k++)
        {
          const char *key = g_ptr_array_index (keys, k);
          g_autofree char *label = traj_cohort_group_label (def->group_by, key);
          g_ptr_array_add (report->cohorts, cohort_build (label, key, g_hash_table_lookup (groups, key)));
        }
      return;
    }

  if (def->cohorts->len == 0)
    {
      GPtrArray *members = g_ptr_array_new ();
      for (guint k = 0; k < courses->len; k++)
        if (traj_cohort_filter_matches (&def->filter, g_ptr_array_index (courses, k)))
          g_ptr_array_add (members, g_ptr_array_index (courses, k));
      g_ptr_array_add (report->cohorts, cohort_build (_("All courses"), "all", members));
      return;
    }

  for (guint s = 0; s < def->cohorts->len; s++)
    {
      const TrajCohortSpec *spec = g_ptr_array_index (def->cohorts, s);
      GPtrArray *members = g_ptr_array_new ();
      g_autofree char *key = g_strdup_printf ("%u", s + 1);
      g_autofree char *fallback = g_strdup_printf (_("Cohort %u"), s + 1);

      for (guint k = 0; k < courses->len; k++)
        {
          const TrajCohortCourse *c = g_ptr_array_index (courses, k);
          if (traj_cohort_filter_matches (&def->filter, c) && traj_cohort_filter_matches (&spec->filter, c))
            g_ptr_array_add (members, (gpointer) c);
        }
      g_ptr_array_add (report->cohorts,
                       cohort_build (spec->label && *spec->label ? spec->label : fallback, key, members));
    }
}

static TrajCohortReport *
report_new_shared (GPtrArray                  *courses,
                   const TrajCohortDefinition *def,
                   const TrajThresholds       *t,
                   gint64                      as_of)
{
  TrajCohortReport *report = g_new0 (TrajCohortReport, 1);

  report->definition = traj_cohort_definition_copy (def);
  report->thresholds = *t;
  report->as_of = as_of;
  report->computed_at = traj_time_now ();
  report->courses = courses;
  report->cohorts = g_ptr_array_new_with_free_func ((GDestroyNotify) cohort_free);
  build_cohorts (report);
  return report;
}

TrajCohortReport *
traj_cohort_report_new (GPtrArray                  *courses,
                        const TrajCohortDefinition *def,
                        const TrajThresholds       *t,
                        gint64                      as_of)
{
  g_return_val_if_fail (courses != NULL, NULL);
  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (t != NULL, NULL);

  g_ptr_array_set_free_func (courses, (GDestroyNotify) traj_cohort_course_free);
  g_ptr_array_sort (courses, compare_cohort_courses);
  return report_new_shared (courses, def, t, as_of);
}

TrajCohortReport *
traj_cohort_report_regroup (const TrajCohortReport     *report,
                            const TrajCohortDefinition *def)
{
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (def->scale == report->definition->scale, NULL);

  return report_new_shared (g_ptr_array_ref (report->courses), def, &report->thresholds, report->as_of);
}

/* ---- computing ------------------------------------------------------------------------ */

/* Reading the clinic and computing outcomes take about as long as each
 * other, so on a machine with more than one core the thread that reads
 * (traj_store_foreach_cohort_records, on its own connection) hands patients
 * in batches to worker threads that run the engine. When the workers fall
 * behind, the reader computes a batch itself, so memory stays bounded. The
 * result does not depend on who computed what: the report sorts courses. */
#define BATCH_SIZE 32
#define MAX_QUEUED_BATCHES 8
#define MAX_WORKERS 3

typedef struct {
  Collect collect;          /* read-only while the workers run */
  GAsyncQueue *queue;       /* GPtrArray* of TrajPatientRecords*, or &end_of_scan */
} Pipe;

static char end_of_scan;

typedef struct {
  Pipe *pipe;
  GPtrArray *courses;
  GThread *thread;
} Worker;

typedef struct {
  Pipe pipe;
  GPtrArray *courses;       /* the reader's own */
  GPtrArray *batch;
  Worker *workers;
  guint n_workers;
  guint done;
  guint total;
  void (*tick) (gpointer data, guint done, guint total);
  gpointer tick_data;
} Scan;

static void
collect_batch (const Pipe *pipe, GPtrArray *batch, GPtrArray *courses)
{
  for (guint k = 0; k < batch->len; k++)
    collect_patient (&pipe->collect, g_ptr_array_index (batch, k), courses);
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (w->pipe->queue);
      if (item == &end_of_scan)
        break;
      collect_batch (w->pipe, item, w->courses);
      g_ptr_array_unref (item);
    }
  return NULL;
}

/* Takes what @r holds, leaving it empty for the store to free. */
static TrajPatientRecords *
records_steal (TrajPatientRecords *r)
{
  TrajPatientRecords *mine = traj_patient_records_new ();
  TrajPatientRecords tmp = *mine;

  *mine = *r;
  *r = tmp;
  return mine;
}

static void
scan_flush (Scan *scan)
{
  GPtrArray *batch = g_steal_pointer (&scan->batch);

  if (batch == NULL || batch->len == 0)
    {
      g_clear_pointer (&batch, g_ptr_array_unref);
      return;
    }
  if (g_async_queue_length (scan->pipe.queue) >= MAX_QUEUED_BATCHES)
    {
      collect_batch (&scan->pipe, batch, scan->courses);
      g_ptr_array_unref (batch);
    }
  else
    g_async_queue_push (scan->pipe.queue, batch);
}

static gboolean
scan_one (TrajPatientRecords *r, gpointer user_data)
{
  Scan *scan = user_data;

  if (scan->n_workers == 0)
    collect_patient (&scan->pipe.collect, r, scan->courses);
  else
    {
      if (scan->batch == NULL)
        scan->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free);
      g_ptr_array_add (scan->batch, records_steal (r));
      if (scan->batch->len >= BATCH_SIZE)
        scan_flush (scan);
    }
  scan->done++;
  if (scan->tick)
    scan->tick (scan->tick_data, scan->done, scan->total);
  return TRUE;
}

static void
scan_start_workers (Scan *scan)
{
  guint n = MIN (MAX ((int) g_get_num_processors () - 1, 0), MAX_WORKERS);

  if (n == 0)
    return;
  scan->pipe.queue = g_async_queue_new ();
  scan->workers = g_new0 (Worker, n);
  scan->n_workers = n;
  for (guint k = 0; k < n; k++)
    {
      scan->workers[k].pipe = &scan->pipe;
      scan->workers[k].courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
      scan->workers[k].thread = g_thread_new ("traj-cohort", worker_run, &scan->workers[k]);
    }
}

/* Hands out what is left, waits for the workers and gathers their courses. */
static void
scan_finish_workers (Scan *scan)
{
  if (scan->n_workers == 0)
    return;
  scan_flush (scan);
  for (guint k = 0; k < scan->n_workers; k++)
    g_async_queue_push (scan->pipe.queue, &end_of_scan);
  for (guint k = 0; k < scan->n_workers; k++)
    {
      g_thread_join (scan->workers[k].thread);
      g_ptr_array_extend_and_steal (scan->courses, scan->workers[k].courses);
    }
  g_free (scan->workers);
  g_async_queue_unref (scan->pipe.queue);
  scan->workers = NULL;
  scan->n_workers = 0;
}

/* Two readers: the clinic's patients split in two id ranges, each read and
 * computed by its own thread on its own connection. The read is what bounds
 * a whole-clinic cohort (SQLite decodes every row of five streams), so on two
 * cores this halves the wall time of the read. */
typedef struct {
  const Collect *collect;
  GPtrArray *courses;
  volatile gint *done;
  guint total;
  void (*tick) (gpointer data, guint done, guint total);
  gpointer tick_data;
} RangeScan;

static gboolean
range_one (TrajPatientRecords *r, gpointer user_data)
{
  RangeScan *rs = user_data;
  guint done;

  collect_patient (rs->collect, r, rs->courses);
  done = (guint) g_atomic_int_add (rs->done, 1) + 1;
  if (rs->tick)
    rs->tick (rs->tick_data, done, rs->total);
  return TRUE;
}

typedef struct {
  TrajStore *store;          /* the second connection, owned */
  gint64 first;
  gint64 last;
  RangeScan scan;
  GCancellable *cancellable;
  GError *error;
  gboolean ok;
} RangeJob;

static gpointer
range_thread (gpointer data)
{
  RangeJob *job = data;

  job->ok = traj_store_foreach_cohort_records (job->store, job->scan.collect->t, job->first, job->last, range_one,
                                               &job->scan, job->cancellable, &job->error);
  return NULL;
}

static gboolean
scan_two_ranges (TrajStore     *store,
                 const Collect *collect,
                 gint64         min_id,
                 gint64         max_id,
                 guint          total,
                 void         (*tick) (gpointer data, guint done, guint total),
                 gpointer       tick_data,
                 GPtrArray     *courses,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gint64 mid = min_id + (max_id - min_id) / 2;
  volatile gint done = 0;
  RangeJob job = { 0 };
  RangeScan mine = { collect, courses, &done, total, NULL, NULL };
  GThread *thread;
  gboolean ok;

  job.store = traj_store_open_secondary (store, error);
  if (job.store == NULL)
    return FALSE;
  job.first = mid + 1;
  job.last = max_id;
  job.cancellable = cancellable;
  job.scan.collect = collect;
  job.scan.courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
  job.scan.done = &done;
  job.scan.total = total;
  /* Progress is reported from one thread only; the count is shared. */
  mine.tick = tick;
  mine.tick_data = tick_data;
  thread = g_thread_new ("traj-cohort-range", range_thread, &job);
  ok = traj_store_foreach_cohort_records (store, collect->t, MAX (min_id, 1), mid, range_one, &mine, cancellable, error);
  g_thread_join (thread);
  traj_store_release_secondary (job.store);
  if (ok && !job.ok)
    {
      g_propagate_error (error, job.error);
      job.error = NULL;
      ok = FALSE;
    }
  g_clear_error (&job.error);
  if (ok)
    g_ptr_array_extend_and_steal (courses, job.scan.courses);
  else
    g_ptr_array_unref (job.scan.courses);
  return ok;
}

static TrajCohortReport *
compute (TrajStore                  *store,
         const TrajCohortDefinition *def,
         const TrajThresholds       *t,
         gint64                      as_of,
         GCancellable               *cancellable,
         void                      (*tick) (gpointer data, guint done, guint total),
         gpointer                    tick_data,
         GError                    **error)
{
  Scan scan = { { { 0 }, NULL }, NULL, NULL, NULL, 0, 0, 0, tick, tick_data };
  gboolean ok;

  if (!traj_cohort_definition_validate (def, error))
    return NULL;
  if (tick)
    {
      gint64 n = traj_store_count (store, TRAJ_KIND_PATIENT, error);
      if (n < 0)
        return NULL;
      scan.total = (guint) n;
    }
  scan.courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
  collect_init (&scan.pipe.collect, t, def->scale, as_of);
  {
    gint64 min_id = 0, max_id = 0;

    /* Big clinics on more than one core: two readers (see scan_two_ranges). */
    if (g_get_num_processors () >= 2 && traj_store_patient_id_range (store, &min_id, &max_id, NULL) &&
        max_id - min_id >= 500)
      ok = scan_two_ranges (store, &scan.pipe.collect, min_id, max_id, scan.total, tick, tick_data,
                            scan.courses, cancellable, error);
    else
      {
        scan_start_workers (&scan);
        ok = traj_store_foreach_cohort_records (store, t, 0, 0, scan_one, &scan, cancellable, error);
        if (!ok)
          g_clear_pointer (&scan.batch, g_ptr_array_unref);
        scan_finish_workers (&scan);
      }
  }
  if (!ok)
    {
      g_ptr_array_unref (scan.courses);
      return NULL;
    }
  return traj_cohort_report_new (scan.courses, def, t, as_of);
}

TrajCohortReport *
traj_cohort_compute (TrajStore                  *store,
                     const TrajCohortDefinition *def,
                     const TrajThresholds       *t,
                     gint64                      as_of,
                     GCancellable               *cancellable,
                     GError                    **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (t != NULL, NULL);

  return compute (store, def, t, as_of, cancellable, NULL, NULL, error);
}

typedef struct {
  TrajStore *store;             /* the worker's own connection */
  TrajCohortDefinition *def;
  TrajThresholds t;
  gint64 as_of;
  TrajProgressFunc progress;
  gpointer progress_data;
  GMainContext *context;
  GTask *task;                  /* not a reference: the task owns this */
  int last_permille;
} AsyncData;

static void
async_data_free (AsyncData *d)
{
  g_clear_pointer (&d->store, traj_store_release_secondary);
  traj_cohort_definition_free (d->def);
  g_main_context_unref (d->context);
  g_free (d);
}

typedef struct {
  GTask *task;
  TrajProgressFunc progress;
  gpointer progress_data;
  double fraction;
} ProgressMsg;

static void
progress_msg_free (ProgressMsg *m)
{
  g_object_unref (m->task);
  g_free (m);
}

static gboolean
progress_dispatch (gpointer user_data)
{
  ProgressMsg *m = user_data;

  /* Nothing after the result has been delivered. */
  if (!g_task_get_completed (m->task))
    m->progress (m->fraction, m->progress_data);
  return G_SOURCE_REMOVE;
}

static void
async_tick (gpointer data, guint done, guint total)
{
  AsyncData *d = data;
  int permille = total > 0 ? (int) MIN (1000, (guint64) done * 1000 / total) : 1000;
  ProgressMsg *m;

  /* At most a hundred updates, whatever the clinic's size. */
  if (permille / 10 == d->last_permille / 10 && done != total)
    return;
  d->last_permille = permille;
  m = g_new0 (ProgressMsg, 1);
  m->task = g_object_ref (d->task);
  m->progress = d->progress;
  m->progress_data = d->progress_data;
  m->fraction = permille / 1000.0;
  g_main_context_invoke_full (d->context, G_PRIORITY_DEFAULT, progress_dispatch, m,
                              (GDestroyNotify) progress_msg_free);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;
  TrajCohortReport *report;

  report = compute (d->store, d->def, &d->t, d->as_of, cancellable,
                    d->progress ? async_tick : NULL, d, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) traj_cohort_report_free);
}

void
traj_cohort_compute_async (TrajStore                  *store,
                           const TrajCohortDefinition *def,
                           const TrajThresholds       *t,
                           gint64                      as_of,
                           GCancellable               *cancellable,
                           TrajProgressFunc            progress,
                           gpointer                    progress_data,
                           GAsyncReadyCallback         callback,
                           gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  AsyncData *d;

  g_return_if_fail (TRAJ_IS_STORE (store));
  g_return_if_fail (def != NULL);
  g_return_if_fail (t != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, traj_cohort_compute_async);
  g_task_set_return_on_cancel (task, FALSE);

  d = g_new0 (AsyncData, 1);
  d->def = traj_cohort_definition_copy (def);
  d->t = *t;
  d->as_of = as_of;
  d->progress = progress;
  d->progress_data = progress_data;
  d->context = g_main_context_ref_thread_default ();
  d->task = task;
  d->last_permille = -10;
  g_task_set_task_data (task, d, (GDestroyNotify) async_data_free);

  /* Opened here so the caller's store is never touched from the worker;
   * from now on only the worker uses this connection. */
  d->store = traj_store_open_secondary (store, &error);
  if (d->store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, compute_thread);
}

TrajCohortReport *
traj_cohort_compute_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == traj_cohort_compute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- formatting and notes ------------------------------------------------------------- */

char *
traj_cohort_rate_format (const TrajCohortRate *r)
{
  g_return_val_if_fail (r != NULL, NULL);

  if (r->n == 0)
    return g_strdup (_("no data"));
  /* Translators: a rate with its 95 % interval and counts, e.g. "52.3 % (41.0–63.4), 43/82" */
  return g_strdup_printf (_("%.1f %% (%.1f–%.1f), %u/%u"),
                          100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper, r->events, r->n);
}

char *
traj_cohort_mean_format (const TrajMeanCI *m,
                         int               decimals)
{
  g_return_val_if_fail (m != NULL, NULL);

  decimals = CLAMP (decimals, 0, 6);
  if (m->n == 0)
    return g_strdup (_("no data"));
  if (m->n < 2)
    /* Translators: a mean of a single value: "18.0, n = 1" */
    return g_strdup_printf (_("%.*f, n = 1"), decimals, m->mean);
  /* Translators: mean (SD), its 95 % interval and n: "−9.1 (6.5), 95 % CI −9.3 to −8.9, n = 140";
   * keep "n = %u" together (no-break space) */
  return g_strdup_printf (_("%.*f (%.*f), 95 %% CI %.*f to %.*f, n = %u"),
                          decimals, m->mean, decimals, m->sd, decimals, m->lower, decimals, m->upper, m->n);
}

char **
traj_cohort_notes (const TrajCohort *h)
{
  GPtrArray *notes = g_ptr_array_new ();
  g_autoptr(GPtrArray) few = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (h != NULL, NULL);

  if (h->n_courses == 0)
    g_ptr_array_add (notes, g_strdup (_("No course matches this cohort")));
  else if (h->small)
    g_ptr_array_add (notes, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "Small cohort: %u course",
                                                          "Small cohort: %u courses", h->n_courses),
                                             h->n_courses));
  if (h->mixed_scales && h->scale != TRAJ_SCALE_NONE)
    {
      const TrajScale *s = traj_scale_get (h->scale);
      g_ptr_array_add (notes, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Scores are %s only: %u of %u course (rates use every course)",
                                                            "Scores are %s only: %u of %u courses (rates use every course)",
                                                            h->n_courses),
                                               _(s->name), h->n_scale_courses, h->n_courses));
    }

  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      if (traj_cohort_rate_is_small (&h->response[tp]))
        g_ptr_array_add (few, g_strdup_printf (_("response, %s (n = %u)"),
                                               traj_cohort_timepoint_label (tp), h->response[tp].n));
      if (traj_cohort_rate_is_small (&h->remission[tp]))
        g_ptr_array_add (few, g_strdup_printf (_("remission, %s (n = %u)"),
                                               traj_cohort_timepoint_label (tp), h->remission[tp].n));
    }
  if (traj_cohort_rate_is_small (&h->completion))
    g_ptr_array_add (few, g_strdup_printf (_("completion of induction (n = %u)"), h->completion.n));
  if (few->len > 0 && h->n_courses >= TRAJ_COHORT_SMALL)
    {
      g_autofree char *joined = NULL;
      g_ptr_array_add (few, NULL);
      /* Translators: separates the figures in "Small numbers: …" */
      joined = g_strjoinv (_("; "), (char **) few->pdata);
      g_ptr_array_add (notes, g_strdup_printf (_("Small numbers (fewer than %d courses): %s"),
                                               TRAJ_COHORT_SMALL, joined));
    }
  g_ptr_array_add (notes, NULL);
  return (char **) g_ptr_array_free (notes, FALSE);
}

/* ---- tables ---------------------------------------------------------------------------- */

/* Columns and cells declared in one place: a first pass with @header set adds
 * the columns, later passes fill one row each in the same order. */
typedef struct {
  TrajTable *t;
  gboolean header;
  guint col;
  const TrajCohortReport *settings;  /* when set, each row ends with the comparison's settings */
} Emit;

static void
emit_column (Emit *e, const char *name, TrajColumnType type)
{
  if (e->header)
    traj_table_add_column (e->t, name, type);
}

static void
emit_str (Emit *e, const char *name, const char *value)
{
  emit_column (e, name, TRAJ_COLUMN_STRING);
  if (!e->header && value != NULL)
    traj_table_set (e->t, e->col, value);
  e->col++;
}

static void
emit_int (Emit *e, const char *name, gboolean has, gint64 value)
{
  emit_column (e, name, TRAJ_COLUMN_INT);
  if (!e->header && has)
    traj_table_set_int (e->t, e->col, value);
  e->col++;
}

static void
emit_num (Emit *e, const char *name, double value, int decimals)
{
  emit_column (e, name, TRAJ_COLUMN_NUMBER);
  if (!e->header && isfinite (value))
    traj_table_set_number (e->t, e->col, value, decimals);
  e->col++;
}

static void
emit_bool (Emit *e, const char *name, gboolean has, gboolean value)
{
  emit_column (e, name, TRAJ_COLUMN_BOOL);
  if (!e->header && has)
    traj_table_set_bool (e->t, e->col, value);
  e->col++;
}

static void
emit_day (Emit *e, const char *name, gint32 day)
{
  g_autofree char *iso = day != TRAJ_DAY_NONE ? traj_day_to_iso (day) : NULL;
  emit_str (e, name, iso);
}

static void
emit_begin (Emit *e)
{
  e->col = 0;
  if (!e->header)
    traj_table_add_row (e->t);
}

static void
emit_rate (Emit *e, const char *prefix, const TrajCohortRate *r, double factor, gboolean with_excluded)
{
  char name[64];
  gboolean has = r->n > 0;

  g_snprintf (name, sizeof name, "%s_n", prefix);
  emit_int (e, name, TRUE, r->n);
  g_snprintf (name, sizeof name, "%s_events", prefix);
  emit_int (e, name, TRUE, r->events);
  if (with_excluded)
    {
      g_snprintf (name, sizeof name, "%s_excluded", prefix);
      emit_int (e, name, TRUE, r->excluded);
    }
  g_snprintf (name, sizeof name, factor == 1.0 ? "%s_rate" : "%s_per_100", prefix);
  emit_num (e, name, has ? r->rate * factor : NAN, factor == 1.0 ? 4 : 2);
  g_snprintf (name, sizeof name, "%s_lower", prefix);
  emit_num (e, name, has ? r->lower * factor : NAN, factor == 1.0 ? 4 : 2);
  g_snprintf (name, sizeof name, "%s_upper", prefix);
  emit_num (e, name, has ? r->upper * factor : NAN, factor == 1.0 ? 4 : 2);
  g_snprintf (name, sizeof name, "%s_small", prefix);
  emit_bool (e, name, has, traj_cohort_rate_is_small (r));
}

static void
emit_mean (Emit *e, const char *prefix, const TrajMeanCI *m)
{
  char name[64];

  g_snprintf (name, sizeof name, "%s_n", prefix);
  emit_int (e, name, TRUE, m->n);
  g_snprintf (name, sizeof name, "%s_mean", prefix);
  emit_num (e, name, m->mean, 3);
  g_snprintf (name, sizeof name, "%s_sd", prefix);
  emit_num (e, name, m->sd, 3);
  g_snprintf (name, sizeof name, "%s_lower", prefix);
  emit_num (e, name, m->lower, 3);
  g_snprintf (name, sizeof name, "%s_upper", prefix);
  emit_num (e, name, m->upper, 3);
}

/* What the comparison was computed with, on every row, so an exported file
 * says what it is: the definition (grouping, filters, hand-made cohorts,
 * scale) as stored, the day it describes, and the response and remission
 * thresholds of each outcome scale. */
static void
settings_cells (Emit *e)
{
  const TrajCohortReport *r = e->settings;
  g_autofree char *json = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *computed = NULL;
  g_autoptr(GString) thresholds = g_string_new (NULL);

  if (!e->header)
    {
      json = traj_cohort_definition_to_json (r->definition);
      as_of = traj_day_to_iso (traj_day_from_time (r->as_of != TRAJ_TIME_NONE ? r->as_of : r->computed_at));
      computed = traj_time_to_iso (r->computed_at);
      for (guint k = 0; traj_scale_outcome_at (k) != TRAJ_SCALE_NONE; k++)
        {
          TrajScaleId id = traj_scale_outcome_at (k);
          char fraction[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (fraction, sizeof fraction, "%.2f", r->thresholds.response_fraction[id]);
          g_string_append_printf (thresholds, "%s%s: response <= %s x baseline, remission <= %d",
                                  k > 0 ? "; " : "", traj_scale_code (id), fraction,
                                  r->thresholds.remission_max[id]);
        }
    }
  emit_str (e, "comparison", json);
  emit_str (e, "as_of", as_of);
  emit_str (e, "computed_at", computed);
  emit_str (e, "thresholds", e->header ? NULL : thresholds->str);
}

static void
metrics_row (Emit *e, const TrajCohort *h)
{
  g_auto(GStrv) notes = NULL;
  g_autofree char *joined = NULL;
  static const TrajKm no_km = { 0, 0, NULL, 0, NAN, NAN, NAN };
  const TrajKm *km = h->booster ? h->booster : &no_km;

  emit_begin (e);
  emit_str (e, "cohort", h->label);
  emit_str (e, "cohort_key", h->key);
  emit_int (e, "courses", TRUE, h->n_courses);
  emit_int (e, "patients", TRUE, h->n_patients);
  emit_bool (e, "small_cohort", TRUE, h->small);
  emit_str (e, "scale", h->scale != TRAJ_SCALE_NONE ? traj_scale_code (h->scale) : NULL);
  emit_int (e, "scale_courses", TRUE, h->n_scale_courses);
  emit_mean (e, "baseline", &h->baseline);
  emit_mean (e, "change_eoi", &h->change_eoi);
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "response_%s", traj_cohort_timepoint_to_string (tp));
      emit_rate (e, prefix, &h->response[tp], 1.0, TRUE);
    }
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "remission_%s", traj_cohort_timepoint_to_string (tp));
      emit_rate (e, prefix, &h->remission[tp], 1.0, TRUE);
    }
  emit_int (e, "responders", TRUE, h->n_responders);
  emit_num (e, "median_infusions_to_response", h->median_infusions_to_response, 1);
  emit_rate (e, "completion", &h->completion, 1.0, TRUE);
  emit_int (e, "booster_n", TRUE, km->n);
  emit_int (e, "booster_events", TRUE, km->n_events);
  emit_num (e, "booster_median_days", km->median, 1);
  emit_num (e, "booster_median_lower", km->median_lower, 1);
  emit_num (e, "booster_median_upper", km->median_upper, 1);
  emit_rate (e, "monitoring", &h->monitoring, 100.0, FALSE);
  emit_rate (e, "safety", &h->safety, 1.0, FALSE);
  /* CLINICAL.md §8 tolerability, over every infusion: not outcomes. */
  emit_mean (e, "cadss", &h->cadss);
  emit_rate (e, "sedated", &h->sedated, 1.0, FALSE);
  if (!e->header)
    {
      notes = traj_cohort_notes (h);
      joined = g_strjoinv ("; ", notes);
    }
  emit_str (e, "notes", joined);
  if (e->settings)
    settings_cells (e);
}

static TrajTable *
metrics_table (const TrajCohortReport *report, gboolean with_settings)
{
  TrajTable *t = traj_table_new ();
  Emit e = { t, TRUE, 0, with_settings ? report : NULL };
  TrajCohort empty = { 0 };

  g_return_val_if_fail (report != NULL, t);

  empty.median_infusions_to_response = NAN;
  metrics_row (&e, &empty);
  e.header = FALSE;
  for (guint k = 0; k < report->cohorts->len; k++)
    metrics_row (&e, g_ptr_array_index (report->cohorts, k));
  return t;
}

TrajTable *
traj_cohort_report_metrics_table (const TrajCohortReport *report)
{
  return metrics_table (report, FALSE);
}

static void
course_row (Emit *e, const TrajCohort *h, const TrajCohortCourse *c)
{
  char name[48];
  int y = 0, m, d;
  gboolean has_year = c->start_day != TRAJ_DAY_NONE && traj_day_to_ymd (c->start_day, &y, &m, &d);

  emit_begin (e);
  emit_str (e, "cohort", h ? h->label : NULL);
  emit_str (e, "cohort_key", h ? h->key : NULL);
  emit_str (e, "course_uid", c->course_uid);
  emit_str (e, "patient_uid", c->patient_uid);
  emit_str (e, "mrn", c->mrn);
  emit_str (e, "indication", traj_indication_to_string (c->indication));
  emit_str (e, "indication_detail", c->indication_detail && *c->indication_detail ? c->indication_detail : NULL);
  emit_str (e, "route", c->has_infusion ? traj_route_to_string (c->route) : NULL);
  emit_str (e, "medicine", c->has_infusion ? traj_medicine_to_string (c->medicine) : NULL);
  emit_str (e, "clinician", c->has_infusion ? c->clinician : NULL);
  emit_str (e, "sex", traj_sex_to_string (c->sex));
  emit_int (e, "age_at_start", c->age >= 0, c->age);
  emit_str (e, "age_band", traj_age_band_to_string (c->age_band));
  emit_str (e, "protocol", c->protocol);
  emit_day (e, "start_date", c->start_day);
  emit_int (e, "start_year", has_year, y);
  emit_str (e, "status", traj_course_status_to_string (c->status));
  emit_str (e, "scale", traj_scale_code (c->scale));
  emit_int (e, "baseline", c->has_baseline, c->baseline);
  emit_num (e, "response_threshold", c->response_computable ? c->response_threshold : NAN, 2);
  emit_int (e, "remission_max", c->has_baseline, c->remission_max);
  emit_int (e, "infusions", TRUE, c->n_infusions);
  emit_int (e, "induction_length", TRUE, c->induction_length);
  emit_bool (e, "induction_complete", TRUE, c->induction_complete);
  emit_bool (e, "completion_counted", TRUE, c->completion_counted);
  emit_day (e, "induction_end_date", c->induction_end_day);
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      const TrajCohortScore *s = &c->at[tp];
      const char *code = traj_cohort_timepoint_to_string (tp);
      gboolean scored = s->score >= 0;

      g_snprintf (name, sizeof name, "%s_due", code);
      emit_bool (e, name, c->induction_complete, s->due);
      g_snprintf (name, sizeof name, "%s_score", code);
      emit_int (e, name, scored, s->score);
      g_snprintf (name, sizeof name, "%s_date", code);
      emit_day (e, name, scored ? s->day : TRAJ_DAY_NONE);
      g_snprintf (name, sizeof name, "%s_response", code);
      emit_bool (e, name, scored && c->response_computable, s->response);
      g_snprintf (name, sizeof name, "%s_remission", code);
      emit_bool (e, name, scored && c->has_baseline, s->remission);
    }
  emit_bool (e, "response_reached", c->response_computable, c->response_reached);
  emit_int (e, "infusions_to_response", c->infusions_to_response >= 0, c->infusions_to_response);
  emit_bool (e, "booster_included", TRUE, c->km_included);
  emit_int (e, "booster_days", c->km_included, c->km_days);
  emit_bool (e, "booster_event", c->km_included, c->km_event);
  emit_int (e, "monitoring_events", TRUE, c->n_monitoring);
  emit_int (e, "safety_findings", TRUE, c->n_safety);
  if (e->settings)
    settings_cells (e);
}

TrajTable *
traj_cohort_report_metrics_table_with_settings (const TrajCohortReport *report)
{
  return metrics_table (report, TRUE);
}

static TrajTable *
courses_table (const TrajCohortReport *report, gboolean with_settings)
{
  TrajTable *t = traj_table_new ();
  Emit e = { t, TRUE, 0, with_settings ? report : NULL };
  TrajCohortCourse empty = { 0 };

  g_return_val_if_fail (report != NULL, t);

  course_row (&e, NULL, &empty);
  e.header = FALSE;
  for (guint k = 0; k < report->cohorts->len; k++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, k);
      for (guint j = 0; j < h->courses->len; j++)
        course_row (&e, h, g_ptr_array_index (h->courses, j));
    }
  return t;
}

TrajTable *
traj_cohort_report_courses_table_with_settings (const TrajCohortReport *report)
{
  return courses_table (report, TRUE);
}

TrajTable *
traj_cohort_report_courses_table (const TrajCohortReport *report)
{
  return courses_table (report, FALSE);
}

static void
chart_row (Emit *e, const TrajCohort *h, const char *axis, const TrajCohortPoint *p)
{
  emit_begin (e);
  emit_str (e, "cohort", h ? h->label : NULL);
  emit_str (e, "cohort_key", h ? h->key : NULL);
  emit_str (e, "scale", h && h->scale != TRAJ_SCALE_NONE ? traj_scale_code (h->scale) : NULL);
  emit_str (e, "axis", axis);
  emit_int (e, "x", TRUE, p->x);
  emit_int (e, "n", TRUE, p->mean.n);
  emit_num (e, "mean", p->mean.mean, 3);
  emit_num (e, "sd", p->mean.sd, 3);
  emit_num (e, "lower", p->mean.lower, 3);
  emit_num (e, "upper", p->mean.upper, 3);
}

TrajTable *
traj_cohort_report_chart_table (const TrajCohortReport *report)
{
  TrajTable *t = traj_table_new ();
  Emit e = { t, TRUE, 0 };
  TrajCohortPoint empty = { 0 };

  g_return_val_if_fail (report != NULL, t);

  chart_row (&e, NULL, NULL, &empty);
  e.header = FALSE;
  for (guint k = 0; k < report->cohorts->len; k++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, k);
      for (guint j = 0; j < h->by_infusion->len; j++)
        chart_row (&e, h, "infusion", &g_array_index (h->by_infusion, TrajCohortPoint, j));
      for (guint j = 0; j < h->by_week->len; j++)
        chart_row (&e, h, "week", &g_array_index (h->by_week, TrajCohortPoint, j));
    }
  return t;
}

static void
tolerability_row (Emit *e, const TrajCohort *h, const TrajCohortTolerability *t)
{
  emit_begin (e);
  emit_str (e, "cohort", h ? h->label : NULL);
  emit_str (e, "cohort_key", h ? h->key : NULL);
  emit_int (e, "infusion", TRUE, t->infusion);
  emit_mean (e, "cadss", &t->cadss);
  emit_rate (e, "sedated", &t->sedated, 1.0, FALSE);
}

TrajTable *
traj_cohort_report_tolerability_table (const TrajCohortReport *report)
{
  TrajTable *t = traj_table_new ();
  Emit e = { t, TRUE, 0 };
  TrajCohortTolerability empty = { 0 };

  g_return_val_if_fail (report != NULL, t);

  tolerability_row (&e, NULL, &empty);
  e.header = FALSE;
  for (guint k = 0; k < report->cohorts->len; k++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, k);
      for (guint j = 0; h->tolerability && j < h->tolerability->len; j++)
        tolerability_row (&e, h, &g_array_index (h->tolerability, TrajCohortTolerability, j));
    }
  return t;
}

static void
km_row (Emit *e, const TrajCohort *h, const TrajKmStep *s)
{
  emit_begin (e);
  emit_str (e, "cohort", h ? h->label : NULL);
  emit_str (e, "cohort_key", h ? h->key : NULL);
  emit_num (e, "day", s->time, 0);
  emit_int (e, "at_risk", TRUE, s->n_risk);
  emit_int (e, "events", TRUE, s->n_event);
  emit_int (e, "censored", TRUE, s->n_censor);
  emit_num (e, "survival", s->survival, 4);
  emit_num (e, "lower", s->lower, 4);
  emit_num (e, "upper", s->upper, 4);
}

TrajTable *
traj_cohort_report_km_table (const TrajCohortReport *report)
{
  TrajTable *t = traj_table_new ();
  Emit e = { t, TRUE, 0 };
  TrajKmStep empty = { 0 };

  g_return_val_if_fail (report != NULL, t);

  km_row (&e, NULL, &empty);
  e.header = FALSE;
  for (guint k = 0; k < report->cohorts->len; k++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, k);
      for (guint j = 0; h->booster && j < h->booster->n_steps; j++)
        km_row (&e, h, &h->booster->steps[j]);
    }
  return t;
}
