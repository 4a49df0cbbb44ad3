/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-records"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traj-records.h"

typedef struct {
  const char *code;
  const char *label;
} Pair;

static const Pair sexes[] = {
  { "unknown", N_("Not recorded") },
  { "female", N_("Female") },
  { "male", N_("Male") },
  { "other", N_("Other") },
};

static const Pair indications[] = {
  { "depression", N_("Depression") },
  { "bipolar_depression", N_("Bipolar depression") },
  { "ptsd", N_("PTSD") },
  { "anxiety", N_("Anxiety") },
  { "chronic_pain", N_("Chronic pain") },
  { "ocd", N_("OCD") },
  { "substance_use", N_("Substance use disorder") },
  { "other", N_("Other") },
};

static const Pair indication_details[] = {
  { "mdd", N_("Major depressive disorder") },
  { "trd", N_("Treatment-resistant depression") },
  { "postpartum", N_("Postpartum depression") },
  { "crps", N_("Complex regional pain syndrome") },
  { "fibromyalgia", N_("Fibromyalgia") },
  { "neuropathic", N_("Neuropathic pain") },
  { "migraine", N_("Migraine") },
  { "other_pain", N_("Other pain syndrome") },
};

static const char * const depression_details[] = { "mdd", "trd", "postpartum", NULL };
static const char * const pain_details[] = { "crps", "fibromyalgia", "neuropathic", "migraine", "other_pain", NULL };
static const char * const no_details[] = { NULL };

static const Pair routes[] = {
  { "iv", N_("Intravenous") },
  { "im", N_("Intramuscular") },
  { "intranasal", N_("Intranasal") },
  { "oral", N_("Oral / sublingual") },
};

static const Pair medicines[] = {
  { "ketamine", N_("Ketamine (racemic)") },
  { "esketamine", N_("Esketamine") },
};

static const Pair phases[] = {
  { "induction", N_("Induction") },
  { "maintenance", N_("Maintenance") },
  { "booster", N_("Booster") },
};

static const Pair statuses[] = {
  { "induction", N_("Induction") },
  { "maintenance", N_("Maintenance") },
  { "ended", N_("Ended") },
};

static const Pair sources[] = {
  { "clinician", N_("Clinician") },
  { "tablet", N_("Tablet") },
  { "import", N_("Import") },
};

static const Pair timings[] = {
  { "pre", N_("Before infusion") },
  { "post", N_("After infusion") },
  { "between", N_("Between infusions") },
};

static const Pair side_effects[] = {
  { "nausea", N_("Nausea") },
  { "vomiting", N_("Vomiting") },
  { "dizziness", N_("Dizziness") },
  { "dissociation", N_("Dissociation") },
  { "sedation", N_("Sedation") },
  { "headache", N_("Headache") },
  { "anxiety", N_("Anxiety") },
  { "hypertension", N_("Hypertension") },
  { "other", N_("Other") },
};

static const Pair concomitants[] = {
  { "benzodiazepine", N_("Benzodiazepines") },
  { "sedative", N_("Sedative-hypnotics") },
  { "stimulant", N_("Stimulants") },
  { "maoi", N_("MAOIs") },
  { "opioid", N_("Opioids") },
};

static const Pair date_warnings[] = {
  { "before_course", N_("More than 30 days before its course starts") },
  { "after_course_end", N_("After its course ended") },
  { "near_infusion", N_("Within 60 minutes of another infusion") },
};

static const char *kinds[] = {
  "patient", "course", "infusion", "vital_sign", "assessment", "flag_decision", "kiosk_checkin", "medication",
};

static const Pair med_classes[] = {
  { "benzodiazepine", N_("Benzodiazepine") },
  { "z_drug", N_("Z-drug (non-benzodiazepine sedative-hypnotic)") },
  { "lamotrigine", N_("Lamotrigine") },
  { "psychostimulant", N_("Psychostimulant") },
  { "maoi", N_("MAOI") },
  { "opioid", N_("Opioid") },
  { "antidepressant", N_("Antidepressant") },
  { "antipsychotic", N_("Antipsychotic") },
  { "lithium", N_("Lithium") },
  { "other", N_("Other") },
};

static const Pair substance_uses[] = {
  { "unknown", N_("Not recorded") },
  { "none", N_("None") },
  { "past", N_("In the past") },
  { "current", N_("Current") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (sexes) == TRAJ_N_SEXES);
G_STATIC_ASSERT (G_N_ELEMENTS (substance_uses) == TRAJ_N_SUBSTANCE_USES);
G_STATIC_ASSERT (G_N_ELEMENTS (indications) == TRAJ_N_INDICATIONS);
G_STATIC_ASSERT (G_N_ELEMENTS (routes) == TRAJ_N_ROUTES);
G_STATIC_ASSERT (G_N_ELEMENTS (medicines) == TRAJ_N_MEDICINES);
G_STATIC_ASSERT (G_N_ELEMENTS (phases) == TRAJ_N_PHASES);
G_STATIC_ASSERT (G_N_ELEMENTS (statuses) == TRAJ_N_COURSE_STATUSES);
G_STATIC_ASSERT (G_N_ELEMENTS (sources) == TRAJ_N_SOURCES);
G_STATIC_ASSERT (G_N_ELEMENTS (timings) == TRAJ_N_TIMINGS);
G_STATIC_ASSERT (G_N_ELEMENTS (side_effects) == TRAJ_N_SIDE_EFFECTS);
G_STATIC_ASSERT (G_N_ELEMENTS (concomitants) == TRAJ_N_CONCOMITANTS);
G_STATIC_ASSERT (G_N_ELEMENTS (date_warnings) == TRAJ_N_DATE_WARNINGS);
G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == TRAJ_N_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (med_classes) == TRAJ_N_MED_CLASSES);

static const char *
pair_code (const Pair *pairs, guint n, guint v)
{
  return v < n ? pairs[v].code : NULL;
}

static const char *
pair_label (const Pair *pairs, guint n, guint v)
{
  return v < n ? _(pairs[v].label) : "";
}

static gboolean
pair_lookup (const Pair *pairs, guint n, const char *s, int *out)
{
  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_ascii_strcasecmp (s, pairs[i].code) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

#define ENUM_FUNCS(type, prefix, table)                                         \
  const char *traj_##prefix##_to_string (type v)                                \
  { return pair_code (table, G_N_ELEMENTS (table), (guint) v); }                \
  const char *traj_##prefix##_label (type v)                                    \
  { return pair_label (table, G_N_ELEMENTS (table), (guint) v); }               \
  gboolean traj_##prefix##_from_string (const char *s, type *out)               \
  { int v; if (!pair_lookup (table, G_N_ELEMENTS (table), s, &v)) return FALSE; \
    *out = (type) v; return TRUE; }

ENUM_FUNCS (TrajSex, sex, sexes)
ENUM_FUNCS (TrajIndication, indication, indications)
ENUM_FUNCS (TrajRoute, route, routes)
ENUM_FUNCS (TrajMedicine, medicine, medicines)
ENUM_FUNCS (TrajPhase, phase, phases)
ENUM_FUNCS (TrajCourseStatus, course_status, statuses)
ENUM_FUNCS (TrajSource, source, sources)
ENUM_FUNCS (TrajTiming, timing, timings)
ENUM_FUNCS (TrajMedClass, med_class, med_classes)
ENUM_FUNCS (TrajSubstanceUse, substance_use, substance_uses)

const char *
traj_side_effect_to_string (guint index)
{
  return pair_code (side_effects, G_N_ELEMENTS (side_effects), index);
}

const char *
traj_side_effect_label (guint index)
{
  return pair_label (side_effects, G_N_ELEMENTS (side_effects), index);
}

const char *
traj_concomitant_to_string (guint index)
{
  return pair_code (concomitants, G_N_ELEMENTS (concomitants), index);
}

const char *
traj_concomitant_label (guint index)
{
  return pair_label (concomitants, G_N_ELEMENTS (concomitants), index);
}

const char *
traj_date_warning_to_string (guint index)
{
  return pair_code (date_warnings, G_N_ELEMENTS (date_warnings), index);
}

const char *
traj_date_warning_label (guint index)
{
  return pair_label (date_warnings, G_N_ELEMENTS (date_warnings), index);
}

const char *
traj_kind_to_string (TrajRecordKind kind)
{
  return (guint) kind < TRAJ_N_KINDS ? kinds[kind] : NULL;
}

TrajTiming
traj_assessment_default_timing (const TrajPatientRecords *r,
                                gint64                    now)
{
  gint32 today = traj_day_from_time (now);

  for (guint k = 0; r != NULL && k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      if (i->deleted_at == 0 && i->started_at <= now && traj_day_from_time (i->started_at) == today)
        return TRAJ_TIMING_POST;
    }
  return TRAJ_TIMING_PRE;
}

const char * const *
traj_indication_details (TrajIndication indication)
{
  switch (indication)
    {
    case TRAJ_INDICATION_DEPRESSION:
      return depression_details;
    case TRAJ_INDICATION_CHRONIC_PAIN:
      return pain_details;
    default:
      return no_details;
    }
}

const char *
traj_indication_detail_label (const char *code)
{
  int k;

  if (!pair_lookup (indication_details, G_N_ELEMENTS (indication_details), code, &k))
    return NULL;
  return _(indication_details[k].label);
}

gboolean
traj_indication_detail_fits (TrajIndication indication, const char *code)
{
  return code == NULL || *code == '\0' || g_strv_contains (traj_indication_details (indication), code);
}

TrajScaleId
traj_indication_default_scale (TrajIndication indication)
{
  return traj_scale_default_for_indication (traj_indication_to_string (indication));
}

char *
traj_checkin_default_scales (TrajScaleId primary, TrajIndication indication)
{
  GString *s = g_string_new (NULL);
  const char *code = traj_indication_to_string (indication);
  const TrajScale *first = traj_scale_get (primary);

  /* The primary scale first, then those the indication asks for. */
  if (traj_scale_is_patient_facing (first))
    g_string_append (s, first->code);
  for (const TrajScale *scale = traj_scale_next_outcome (NULL); scale; scale = traj_scale_next_outcome (scale))
    {
      if (scale == first || !traj_scale_is_patient_facing (scale) ||
          !traj_scale_checkin_for_indication (scale, code))
        continue;
      if (s->len)
        g_string_append_c (s, ',');
      g_string_append (s, scale->code);
    }
  if (s->len == 0)
    g_string_append (s, traj_scale_code (TRAJ_SCALE_PHQ9));
  return g_string_free (s, FALSE);
}

/* ---- dates ---------------------------------------------------------- */

static const guint32 EPOCH_JULIAN = 719163; /* g_date julian of 1970-01-01 */

gint32
traj_day_from_ymd (int year, int month, int day)
{
  GDate d;

  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return TRAJ_DAY_NONE;
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return (gint32) g_date_get_julian (&d) - (gint32) EPOCH_JULIAN;
}

gboolean
traj_day_to_ymd (gint32 day, int *year, int *month, int *mday)
{
  GDate d;
  gint64 julian = (gint64) day + EPOCH_JULIAN;

  if (day == TRAJ_DAY_NONE || julian < 1 || julian > G_MAXUINT32)
    return FALSE;
  g_date_clear (&d, 1);
  g_date_set_julian (&d, (guint32) julian);
  if (year) *year = g_date_get_year (&d);
  if (month) *month = g_date_get_month (&d);
  if (mday) *mday = g_date_get_day (&d);
  return TRUE;
}

void
traj_records_sort (GPtrArray *array, GCompareFunc compare)
{
  for (guint k = 1; k < array->len; k++)
    if (compare (&array->pdata[k - 1], &array->pdata[k]) > 0)
      {
        g_ptr_array_sort (array, compare);
        return;
      }
}

gint32
traj_day_from_iso (const char *iso)
{
  int y, m, d;

  if (iso == NULL)
    return TRAJ_DAY_NONE;
  while (g_ascii_isspace (*iso))
    iso++;
  if (strlen (iso) < 10 || iso[4] != '-' || iso[7] != '-')
    return TRAJ_DAY_NONE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (iso[i]))
      return TRAJ_DAY_NONE;
  /* Only white space may follow (every stored date is read here: no
   * sscanf). */
  if (iso[10] != '\0' && !g_ascii_isspace (iso[10]))
    return TRAJ_DAY_NONE;
  y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
  m = (iso[5] - '0') * 10 + (iso[6] - '0');
  d = (iso[8] - '0') * 10 + (iso[9] - '0');
  return traj_day_from_ymd (y, m, d);
}

/* "1961-7-5", "1961/07/05", "1961.7.5" or "19610705": year first, as the
 * app asks. */
static gint32
day_from_numbers (const char *text)
{
  int y = 0, m = 0, d = 0, n = 0;
  char sep1, sep2;

  if (strlen (text) == 8 && strspn (text, "0123456789") == 8)
    return sscanf (text, "%4d%2d%2d", &y, &m, &d) == 3 ? traj_day_from_ymd (y, m, d) : TRAJ_DAY_NONE;
  if (!g_ascii_isdigit (text[0]) || strspn (text, "0123456789") != 4)
    return TRAJ_DAY_NONE;
  if (sscanf (text, "%4d%c%2d%c%2d%n", &y, &sep1, &m, &sep2, &d, &n) != 5 || text[n] != '\0')
    return TRAJ_DAY_NONE;
  if (sep1 != sep2 || strchr ("-/.", sep1) == NULL)
    return TRAJ_DAY_NONE;
  if (!g_ascii_isdigit (text[5]) || !g_ascii_isdigit (text[n - 1]))
    return TRAJ_DAY_NONE;
  return traj_day_from_ymd (y, m, d);
}

/* "5 Jul 1961" or "5 July 1961": how the app shows a day, in its language. */
static gint32
day_from_words (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " ,", -1);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  char *end;
  long d, y;

  for (guint k = 0; parts[k]; k++)
    if (*parts[k])
      g_ptr_array_add (words, parts[k]);
  if (words->len != 3)
    return TRAJ_DAY_NONE;
  d = strtol (g_ptr_array_index (words, 0), &end, 10);
  if (*end != '\0' || d < 1 || d > 31)
    return TRAJ_DAY_NONE;
  y = strtol (g_ptr_array_index (words, 2), &end, 10);
  if (*end != '\0' || y < 1000 || y > 9999)
    return TRAJ_DAY_NONE;
  for (int m = 1; m <= 12; m++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_utc (2000, m, 1, 12, 0, 0);
      g_autofree char *abbr = g_date_time_format (dt, "%b");
      g_autofree char *full = g_date_time_format (dt, "%B");
      g_autofree char *word = g_utf8_casefold (g_ptr_array_index (words, 1), -1);
      g_autofree char *a = g_utf8_casefold (abbr, -1);
      g_autofree char *f = g_utf8_casefold (full, -1);

      if (g_str_equal (word, a) || g_str_equal (word, f))
        return traj_day_from_ymd ((int) y, m, (int) d);
    }
  return TRAJ_DAY_NONE;
}

gint32
traj_day_from_text (const char *text)
{
  g_autofree char *t = g_strstrip (g_strdup (text ? text : ""));
  gint32 day = traj_day_from_iso (t);

  if (day == TRAJ_DAY_NONE)
    day = day_from_numbers (t);
  if (day == TRAJ_DAY_NONE)
    day = day_from_words (t);
  return day;
}

char *
traj_day_text_problem (const char *text)
{
  g_autofree char *t = g_strstrip (g_strdup (text ? text : ""));
  g_autoptr(GDateTime) first = NULL;
  g_autofree char *month = NULL;
  int y, m, d;

  if (traj_day_from_text (t) != TRAJ_DAY_NONE || strlen (t) != 10 || t[4] != '-' || t[7] != '-')
    return NULL;
  for (guint k = 0; k < 10; k++)
    if (k != 4 && k != 7 && !g_ascii_isdigit (t[k]))
      return NULL;
  y = atoi (t);
  m = atoi (t + 5);
  d = atoi (t + 8);
  if (y < 1)
    return NULL;
  if (m < 1 || m > 12)
    /* Translators: a date typed as YYYY-MM-DD with a month that is not 1 to 12 */
    return g_strdup_printf (_("There is no month %d: months go from 01 to 12."), m);
  first = g_date_time_new_utc (y, m, 1, 0, 0, 0);
  if (first == NULL)
    return NULL;
  month = g_date_time_format (first, "%B");
  /* Translators: a date typed as YYYY-MM-DD that is not in the calendar: "There is no day 30 in February 2031." */
  return g_strdup_printf (_("There is no day %d in %s %d."), d, month, y);
}

char *
traj_day_to_iso (gint32 day)
{
  int y, m, d;

  if (!traj_day_to_ymd (day, &y, &m, &d))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
}

/* The clinic's zone (CLINICAL.md §7: every day count uses it), set from
 * the clinic's settings when a store opens; the machine's own until then.
 * Looked up once: GLib 2.74 reads /etc/localtime again on every
 * g_date_time_new_*_local (), which dominated whole-clinic scans. A zone
 * replaced is kept: worker threads may still be using it. */
static GTimeZone *clinic_zone;

static GTimeZone *
local_zone (void)
{
  GTimeZone *zone = g_atomic_pointer_get (&clinic_zone);

  if (G_UNLIKELY (zone == NULL))
    {
      GTimeZone *local = g_time_zone_new_local ();
      if (!g_atomic_pointer_compare_and_exchange (&clinic_zone, NULL, local))
        g_time_zone_unref (local);
      zone = g_atomic_pointer_get (&clinic_zone);
    }
  return zone;
}

gboolean
traj_set_clinic_time_zone (const char *identifier)
{
  GTimeZone *zone;
  GTimeZone *old;

  if (identifier == NULL || *identifier == '\0')
    zone = g_time_zone_new_local ();
  else if ((zone = g_time_zone_new_identifier (identifier)) == NULL)
    return FALSE;
  old = g_atomic_pointer_exchange (&clinic_zone, zone);
  /* Deliberately not unreffed: a scan in another thread may hold it. */
  (void) old;
  return TRUE;
}

char *
traj_machine_time_zone (void)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  const char *id = g_time_zone_get_identifier (local);
  g_autoptr(GTimeZone) check = NULL;

  /* "Local" (an /etc/localtime GLib could not name) is no zone another
   * machine could use: UTC offsets would be, but they ignore summer time. */
  if (id && (check = g_time_zone_new_identifier (id)) != NULL && g_strcmp0 (id, "Local") != 0)
    return g_strdup (id);
  return NULL;
}

char *
traj_clinic_time_zone (void)
{
  return g_strdup (g_time_zone_get_identifier (local_zone ()));
}

/* g_time_zone_find_interval() walks the zone's transitions from the first
 * one on every call (hundreds for a zone with summer time), which was a
 * sixth of a whole-clinic cohort. Each thread keeps the stretches of time it
 * has met, each known to lie in one interval, so nearly every day count is
 * a comparison or two. A stretch is only ever recorded between two instants
 * found in the same interval: intervals are consecutive in time, so every
 * instant between them is in it too, and the offset is exactly GLib's. */
typedef struct {
  gint64 first, last;       /* UTC seconds, both inside */
  gint32 offset;
} ZoneStretch;

typedef struct {
  GTimeZone *zone;          /* the clinic zone these belong to (zones are never freed) */
  GArray *stretches;        /* ZoneStretch, by time, disjoint */
  guint recent;             /* the one that answered last */
} DayCache;

static void
day_cache_free (gpointer data)
{
  DayCache *cache = data;

  g_array_unref (cache->stretches);
  g_free (cache);
}

static GPrivate day_cache_key = G_PRIVATE_INIT (day_cache_free);

static int
utc_interval (GTimeZone *zone, gint64 at)
{
  return g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at);
}

/* The farthest instant from @at, towards @dir (±1) and at most 2^40 s
 * away, that is still in @interval: doubling steps, then halving. */
static gint64
stretch_edge (GTimeZone *zone, int interval, gint64 at, int dir)
{
  const gint64 reach = G_GINT64_CONSTANT (1) << 40;
  gint64 inside = at;
  gint64 outside;
  gint64 step = 3600;

  for (;;)
    {
      gint64 probe;

      if (dir < 0)
        probe = at < G_MININT64 + step ? G_MININT64 : at - step;
      else
        probe = at > G_MAXINT64 - step ? G_MAXINT64 : at + step;
      if (utc_interval (zone, probe) != interval)
        {
          outside = probe;
          break;
        }
      inside = probe;
      if (step >= reach || probe == G_MININT64 || probe == G_MAXINT64)
        return inside;
      step *= 2;
    }
  /* |outside - inside| ≤ 2^40 here, so nothing overflows. */
  while (outside - inside > 1 || inside - outside > 1)
    {
      gint64 mid = inside + (outside - inside) / 2;

      if (utc_interval (zone, mid) == interval)
        inside = mid;
      else
        outside = mid;
    }
  return inside;
}

static gint32
zone_offset_at (GTimeZone *zone, gint64 at)
{
  DayCache *cache = g_private_get (&day_cache_key);
  ZoneStretch *s;
  guint lo, hi;
  int interval;
  ZoneStretch found;

  if (G_UNLIKELY (cache == NULL))
    {
      cache = g_new0 (DayCache, 1);
      cache->stretches = g_array_new (FALSE, FALSE, sizeof (ZoneStretch));
      g_private_set (&day_cache_key, cache);
    }
  if (G_UNLIKELY (cache->zone != zone))
    {
      g_array_set_size (cache->stretches, 0);
      cache->recent = 0;
      cache->zone = zone;
    }

  if (cache->recent < cache->stretches->len)
    {
      s = &g_array_index (cache->stretches, ZoneStretch, cache->recent);
      if (at >= s->first && at <= s->last)
        return s->offset;
    }
  /* The first stretch ending at or after @at. */
  lo = 0;
  hi = cache->stretches->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (cache->stretches, ZoneStretch, mid).last < at)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < cache->stretches->len)
    {
      s = &g_array_index (cache->stretches, ZoneStretch, lo);
      if (at >= s->first)
        {
          cache->recent = lo;
          return s->offset;
        }
    }

  interval = utc_interval (zone, at);
  if (interval < 0)
    return 0;
  found.offset = g_time_zone_get_offset (zone, interval);
  found.first = stretch_edge (zone, interval, at, -1);
  found.last = stretch_edge (zone, interval, at, +1);
  /* Everything before @lo ends before @at and everything from it on ends at
   * or after the end of this stretch, so the array stays sorted by end.
   * (Only stretches clamped at 2^40 s can overlap; each is still right.) */
  g_array_insert_val (cache->stretches, lo, found);
  cache->recent = lo;
  return found.offset;
}

gint32
traj_day_from_time (gint64 unix_utc)
{
  gint64 local = unix_utc + zone_offset_at (local_zone (), unix_utc);

  /* Days since 1970-01-01, rounding down before the epoch too. */
  return (gint32) (local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
}

gint32
traj_day_today (void)
{
  return traj_day_from_time (traj_time_now ());
}

gint64
traj_time_from_day (gint32 day, int hour, int minute)
{
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  if (!traj_day_to_ymd (day, &y, &m, &d))
    return TRAJ_TIME_NONE;
  dt = g_date_time_new (local_zone (), y, m, d, hour, minute, 0);
  return dt ? g_date_time_to_unix (dt) : TRAJ_TIME_NONE;
}

gint64
traj_time_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
traj_time_from_iso (const char *iso, gboolean *ok)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (ok)
    *ok = FALSE;
  if (iso == NULL || *iso == '\0')
    return TRAJ_TIME_NONE;
  dt = g_date_time_new_from_iso8601 (iso, utc);
  if (dt == NULL)
    return TRAJ_TIME_NONE;
  if (ok)
    *ok = TRUE;
  return g_date_time_to_unix (dt);
}

char *
traj_time_to_iso (gint64 unix_utc)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_utc);

  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

int
traj_age_years (gint32 birth_day, gint32 on_day)
{
  int by, bm, bd, y, m, d, age;

  if (!traj_day_to_ymd (birth_day, &by, &bm, &bd) || !traj_day_to_ymd (on_day, &y, &m, &d))
    return -1;
  age = y - by;
  if (m < bm || (m == bm && d < bd))
    age--;
  return age;
}

char *
traj_day_format (gint32 day)
{
  /* The outcome engine words each finding with its days, thousands of
   * times in a whole-clinic pass, mostly the same days: each thread keeps
   * the last days it formatted (the format is the same translated text
   * for the program's life). */
  static _Thread_local struct {
    gint32 day;
    const char *format;
    char text[40];
  } recent[64];
  /* Translators: a short date, see strftime(3); e.g. "3 Mar 2026" */
  const char *format = _("%-d %b %Y");
  guint slot = (guint) day % G_N_ELEMENTS (recent);
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;
  char *text;

  if (recent[slot].format == format && recent[slot].day == day)
    return g_strdup (recent[slot].text);
  if (!traj_day_to_ymd (day, &y, &m, &d))
    return g_strdup ("—");
  dt = g_date_time_new_utc (y, m, d, 12, 0, 0);
  text = g_date_time_format (dt, format);
  if (text && strlen (text) < sizeof recent[slot].text)
    {
      recent[slot].day = day;
      recent[slot].format = format;
      strcpy (recent[slot].text, text);
    }
  return text;
}

char *
traj_time_format (gint64 unix_utc)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_utc);
  g_autoptr(GDateTime) dt = utc ? g_date_time_to_timezone (utc, local_zone ()) : NULL;

  if (dt == NULL)
    return g_strdup ("—");
  /* Translators: a short date and time, see strftime(3); e.g. "3 Mar 2026, 09:30" */
  return g_date_time_format (dt, _("%-d %b %Y, %H:%M"));
}

/* A version 7 UUID (RFC 9562): the Unix time in milliseconds first, then a
 * counter within the same millisecond, then random bits. New records' uids
 * come in increasing order, so their unique index grows at its end instead
 * of at random pages (which a large clinic's page cache cannot hold). */
char *
traj_uuid_new (void)
{
  G_LOCK_DEFINE_STATIC (uuid);
  static guint64 last_ms;
  static guint32 counter;
  guint64 ms = (guint64) (g_get_real_time () / 1000);
  guint32 seq, r1 = g_random_int (), r2 = g_random_int (), r3 = g_random_int ();

  G_LOCK (uuid);
  if (ms <= last_ms)
    {
      /* The same millisecond (or the clock went back): keep counting from the
       * last one, so the order holds. */
      ms = last_ms;
      if (++counter > 0xfff)
        {
          ms++;
          counter = 0;
        }
    }
  else
    counter = r1 >> 24;   /* a random start within the millisecond, well below 0xfff */
  last_ms = ms;
  seq = counter;
  G_UNLOCK (uuid);

  return g_strdup_printf ("%08x-%04x-7%03x-%04x-%04x%08x",
                          (guint32) (ms >> 16 & 0xffffffffu), (guint32) (ms & 0xffff), seq & 0xfff,
                          (r1 & 0x3fff) | 0x8000, r2 & 0xffff, r3);
}

/* ---- records -------------------------------------------------------- */

TrajPatient *
traj_patient_new (void)
{
  TrajPatient *p = g_new0 (TrajPatient, 1);
  p->birth_day = TRAJ_DAY_NONE;
  return p;
}

TrajPatient *
traj_patient_copy (const TrajPatient *p)
{
  TrajPatient *c = g_memdup2 (p, sizeof *p);
  c->uid = g_strdup (p->uid);
  c->mrn = g_strdup (p->mrn);
  c->name = g_strdup (p->name);
  c->indication_detail = g_strdup (p->indication_detail);
  c->notes = g_strdup (p->notes);
  c->risk_si_by = g_strdup (p->risk_si_by);
  return c;
}

void
traj_patient_free (TrajPatient *p)
{
  if (p == NULL)
    return;
  g_free (p->uid);
  g_free (p->mrn);
  g_free (p->name);
  g_free (p->indication_detail);
  g_free (p->notes);
  g_free (p->risk_si_by);
  g_free (p);
}

TrajCourse *
traj_course_new (void)
{
  TrajCourse *c = g_new0 (TrajCourse, 1);
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = TRAJ_DAY_NONE;
  c->end_day = TRAJ_DAY_NONE;
  c->age_at_start = -1;
  return c;
}

TrajCourse *
traj_course_copy (const TrajCourse *c)
{
  TrajCourse *n = g_memdup2 (c, sizeof *c);
  n->uid = g_strdup (c->uid);
  n->indication_detail = g_strdup (c->indication_detail);
  n->protocol = g_strdup (c->protocol);
  n->notes = g_strdup (c->notes);
  return n;
}

void
traj_course_free (TrajCourse *c)
{
  if (c == NULL)
    return;
  g_free (c->uid);
  g_free (c->indication_detail);
  g_free (c->protocol);
  g_free (c->notes);
  g_free (c);
}

TrajVitalSign *
traj_vital_sign_new (int minute)
{
  TrajVitalSign *v = g_new0 (TrajVitalSign, 1);
  v->minute = minute;
  v->systolic = v->diastolic = v->heart_rate = v->spo2 = v->resp_rate = -1;
  return v;
}

TrajVitalSign *
traj_vital_sign_copy (const TrajVitalSign *v)
{
  TrajVitalSign *n = g_memdup2 (v, sizeof *v);
  n->uid = g_strdup (v->uid);
  return n;
}

void
traj_vital_sign_free (TrajVitalSign *v)
{
  if (v == NULL)
    return;
  g_free (v->uid);
  g_free (v);
}

TrajInfusion *
traj_infusion_new (void)
{
  TrajInfusion *i = g_new0 (TrajInfusion, 1);
  i->duration_min = 40;
  i->cadss_total = -1;
  i->moaas_lowest = -1;
  i->rems_first_session = -1;
  i->rems_vitals_ok_before = -1;
  i->rems_vitals_ok_leaving = -1;
  i->rems_sedation = -1;
  i->rems_dissociation = -1;
  i->rems_resp_depression = -1;
  i->rems_adverse = -1;
  i->vitals = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_vital_sign_free);
  return i;
}

gboolean
traj_infusion_sedated (const TrajInfusion *i)
{
  return i->moaas_lowest >= 0 && i->moaas_lowest <= TRAJ_MOAAS_SEDATED_MAX;
}

char *
traj_infusion_tolerability_text (const TrajInfusion *i)
{
  GString *s;

  if (i->cadss_total < 0 && i->moaas_lowest < 0)
    return NULL;
  s = g_string_new (NULL);
  if (i->cadss_total >= 0)
    /* Translators: the CADSS total of an infusion */
    g_string_append_printf (s, _("CADSS %d"), i->cadss_total);
  if (s->len && i->moaas_lowest >= 0)
    g_string_append (s, " · ");
  if (i->moaas_lowest == 0)
    g_string_append (s, _("MOAA/S 0, no response"));
  else if (traj_infusion_sedated (i))
    /* Translators: the lowest MOAA/S of an infusion, 3 or less */
    g_string_append_printf (s, _("MOAA/S %d, sedated"), i->moaas_lowest);
  else if (i->moaas_lowest > 0)
    g_string_append_printf (s, _("MOAA/S %d"), i->moaas_lowest);
  return g_string_free (s, FALSE);
}

TrajInfusion *
traj_infusion_copy (const TrajInfusion *i)
{
  TrajInfusion *n = g_memdup2 (i, sizeof *i);
  n->uid = g_strdup (i->uid);
  n->lot = g_strdup (i->lot);
  n->side_effect_note = g_strdup (i->side_effect_note);
  n->clinician = g_strdup (i->clinician);
  n->notes = g_strdup (i->notes);
  n->rems_patient_id = g_strdup (i->rems_patient_id);
  n->rems_monitored_by = g_strdup (i->rems_monitored_by);
  n->rems_adverse_note = g_strdup (i->rems_adverse_note);
  n->vitals = g_ptr_array_new_full (i->vitals->len, (GDestroyNotify) traj_vital_sign_free);
  for (guint k = 0; k < i->vitals->len; k++)
    g_ptr_array_add (n->vitals, traj_vital_sign_copy (g_ptr_array_index (i->vitals, k)));
  return n;
}

void
traj_infusion_free (TrajInfusion *i)
{
  if (i == NULL)
    return;
  g_free (i->uid);
  g_free (i->lot);
  g_free (i->side_effect_note);
  g_free (i->clinician);
  g_free (i->notes);
  g_free (i->rems_patient_id);
  g_free (i->rems_monitored_by);
  g_free (i->rems_adverse_note);
  g_ptr_array_unref (i->vitals);
  g_free (i);
}

gboolean
traj_infusion_bp_peak (const TrajInfusion *i, int *systolic, int *diastolic)
{
  int s = -1, d = -1;

  for (guint k = 0; k < i->vitals->len; k++)
    {
      const TrajVitalSign *v = g_ptr_array_index (i->vitals, k);
      /* The peak reading is the one with the highest systolic. */
      if (v->systolic > s)
        {
          s = v->systolic;
          d = v->diastolic;
        }
    }
  if (systolic) *systolic = s;
  if (diastolic) *diastolic = d;
  return s >= 0;
}

char *
traj_infusion_bp_text (const TrajInfusion *i)
{
  const TrajVitalSign *low = NULL, *high = NULL;

  for (guint k = 0; k < i->vitals->len; k++)
    {
      const TrajVitalSign *v = g_ptr_array_index (i->vitals, k);

      if (v->systolic < 0)
        continue;
      if (low == NULL || v->systolic < low->systolic)
        low = v;
      if (high == NULL || v->systolic > high->systolic)
        high = v;
    }
  if (high == NULL)
    return NULL;
  if (low->systolic == high->systolic && low->diastolic == high->diastolic)
    /* Translators: the one blood pressure taken during an infusion: "BP 80/50" */
    return g_strdup_printf (_("BP %d/%d"), high->systolic, high->diastolic);
  /* Translators: the lowest and highest blood pressure during an infusion: "BP 80/50 to 152/94" */
  return g_strdup_printf (_("BP %d/%d to %d/%d"), low->systolic, low->diastolic, high->systolic, high->diastolic);
}

TrajAssessment *
traj_assessment_new (TrajScaleId scale)
{
  TrajAssessment *a = g_new0 (TrajAssessment, 1);
  a->scale = scale;
  a->total = -1;
  a->difficulty = -1;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    a->items[k] = -1;
  return a;
}

TrajAssessment *
traj_assessment_copy (const TrajAssessment *a)
{
  TrajAssessment *n = g_memdup2 (a, sizeof *a);
  n->uid = g_strdup (a->uid);
  n->clinician = g_strdup (a->clinician);
  n->notes = g_strdup (a->notes);
  return n;
}

void
traj_assessment_free (TrajAssessment *a)
{
  if (a == NULL)
    return;
  g_free (a->uid);
  g_free (a->clinician);
  g_free (a->notes);
  g_free (a);
}

void
traj_assessment_rescore (TrajAssessment *a)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  int total;

  if (scale == NULL || a->draft)
    {
      a->complete = FALSE;
      a->total = -1;
      return;
    }
  if (scale->n_items == 0)
    {
      a->complete = a->total >= scale->total_min && a->total <= scale->total_max;
      if (!a->complete)
        a->total = -1;
      return;
    }
  a->complete = traj_scale_score (scale, a->items, scale->n_items, &total);
  a->total = a->complete ? total : -1;
}

int
traj_assessment_safety_answer (const TrajAssessment *a)
{
  const TrajScale *scale = traj_scale_get (a->scale);

  if (scale == NULL || scale->safety_item == 0)
    return 0;
  return MAX (traj_scale_safety_answer (a->scale, a->items), MAX (a->safety_highest, 0));
}

TrajFlagDecision *
traj_flag_decision_new (void)
{
  return g_new0 (TrajFlagDecision, 1);
}

TrajFlagDecision *
traj_flag_decision_copy (const TrajFlagDecision *d)
{
  TrajFlagDecision *n = g_memdup2 (d, sizeof *d);
  n->uid = g_strdup (d->uid);
  n->kind = g_strdup (d->kind);
  n->finding_key = g_strdup (d->finding_key);
  n->decision = g_strdup (d->decision);
  n->note = g_strdup (d->note);
  n->decided_by = g_strdup (d->decided_by);
  return n;
}

void
traj_flag_decision_free (TrajFlagDecision *d)
{
  if (d == NULL)
    return;
  g_free (d->uid);
  g_free (d->kind);
  g_free (d->finding_key);
  g_free (d->decision);
  g_free (d->note);
  g_free (d->decided_by);
  g_free (d);
}

TrajMedication *
traj_medication_new (void)
{
  TrajMedication *m = g_new0 (TrajMedication, 1);
  m->klass = TRAJ_MED_CLASS_OTHER;
  m->start_day = TRAJ_DAY_NONE;
  m->stop_day = TRAJ_DAY_NONE;
  return m;
}

TrajMedication *
traj_medication_copy (const TrajMedication *m)
{
  TrajMedication *n = g_memdup2 (m, sizeof *m);
  n->uid = g_strdup (m->uid);
  n->name = g_strdup (m->name);
  n->dose = g_strdup (m->dose);
  return n;
}

void
traj_medication_free (TrajMedication *m)
{
  if (m == NULL)
    return;
  g_free (m->uid);
  g_free (m->name);
  g_free (m->dose);
  g_free (m);
}

TrajKioskCheckin *
traj_kiosk_checkin_new (void)
{
  return g_new0 (TrajKioskCheckin, 1);
}

void
traj_kiosk_checkin_free (TrajKioskCheckin *c)
{
  if (c == NULL)
    return;
  g_free (c->uid);
  g_free (c->scales);
  g_free (c->created_by);
  g_free (c);
}

void
traj_audit_event_free (TrajAuditEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->os_user);
  g_free (e->clinician);
  g_free (e->action);
  g_free (e->record_kind);
  g_free (e->record_uid);
  g_free (e->summary);
  g_free (e->patient_uid);
  g_free (e->detail);
  g_free (e);
}

TrajPatientRecords *
traj_patient_records_new (void)
{
  TrajPatientRecords *r = g_new0 (TrajPatientRecords, 1);
  r->courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_course_free);
  r->infusions = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_infusion_free);
  r->assessments = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_assessment_free);
  r->decisions = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_flag_decision_free);
  r->medications = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_medication_free);
  return r;
}

void
traj_patient_records_free (TrajPatientRecords *r)
{
  if (r == NULL)
    return;
  traj_patient_free (r->patient);
  g_ptr_array_unref (r->courses);
  g_ptr_array_unref (r->infusions);
  g_ptr_array_unref (r->assessments);
  g_ptr_array_unref (r->decisions);
  g_ptr_array_unref (r->medications);
  g_free (r);
}

const TrajCourse *
traj_patient_records_find_course (const TrajPatientRecords *r, gint64 course_id)
{
  for (guint k = 0; k < r->courses->len; k++)
    {
      const TrajCourse *c = g_ptr_array_index (r->courses, k);
      if (c->id == course_id)
        return c;
    }
  return NULL;
}

const TrajCourse *
traj_patient_records_current_course (const TrajPatientRecords *r)
{
  for (guint k = r->courses->len; k > 0; k--)
    {
      const TrajCourse *c = g_ptr_array_index (r->courses, k - 1);
      if (c->status != TRAJ_COURSE_ENDED)
        return c;
    }
  return r->courses->len ? g_ptr_array_index (r->courses, r->courses->len - 1) : NULL;
}
