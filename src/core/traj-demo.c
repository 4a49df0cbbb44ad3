/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-demo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "traj-bulk.h"
#include "traj-demo.h"
#include "traj-medication.h"
#include "traj-outcomes.h"
#include "traj-rems.h"
#include "traj-validate.h"

/* A synthetic clinic whose shapes follow CLINICAL.md §2: about half of the
 * courses respond and about three in ten remit by the end of a 6-infusion
 * induction; responders drift back after a median of ~18 days; boosters
 * bring them back down; blood pressure peaks around 40 minutes. */

/* First names by the patient's recorded sex (a trial found "Bruno"
 * recorded as female), 50 each so the draw below picks from all of them. */
static const char *female_names[] = {
  "Ada", "Carmen", "Elena", "Grace", "Ines", "Keiko", "Maya", "Olivia", "Rosa", "Tessa",
  "Vera", "Ximena", "Zoe", "Amara", "Chloe", "Esther", "Gita", "Isla", "Kira", "Mei",
  "Priya", "Sofia", "Uma", "Yara", "Anna", "Beatriz", "Clara", "Daria", "Eva", "Fatima",
  "Hanna", "Ingrid", "Julia", "Lena", "Marta", "Nadia", "Paula", "Ruth", "Sara", "Teresa",
  "Ursula", "Valentina", "Wanda", "Yasmin", "Zara", "Aisha", "Birgit", "Camila", "Dalia", "Emma",
};
static const char *male_names[] = {
  "Ben", "Dmitri", "Farid", "Hiro", "Jonah", "Liam", "Nikolai", "Pedro", "Samir", "Umar",
  "Wes", "Yusuf", "Bruno", "Dev", "Felix", "Hugo", "Jamal", "Leon", "Noah", "Oskar",
  "Rafael", "Tomas", "Viktor", "Zane", "Mateo", "Adam", "Carlos", "Daniel", "Erik", "Filip",
  "Gabriel", "Henrik", "Ivan", "Jakub", "Karl", "Luis", "Marco", "Nils", "Omar", "Pavel",
  "Rashid", "Stefan", "Theo", "Vikram", "Walter", "Xavier", "Yann", "Zoran", "Arjun", "Emil",
};
/* Recorded sex "other": names used for anyone. */
static const char *other_names[] = {
  "Quinn", "Alex", "Robin", "Sasha", "Kai", "Noor", "Ari", "Jules", "River", "Sam",
};
G_STATIC_ASSERT (G_N_ELEMENTS (female_names) == 50 && G_N_ELEMENTS (male_names) == 50);

static const char *last_names[] = {
  "Abbott", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
  "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quiroga", "Rossi", "Schmidt", "Tanaka",
  "Urban", "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski", "Andersen", "Brennan", "Costa", "Delgado",
  "Edwards", "Ferreira", "Gallagher", "Hansen", "Iyer", "Jovanovic", "Kim", "Larsen", "Mendes", "Novak",
};

typedef struct {
  TrajStore *store;
  GRand *rand;
  gint32 anchor;
  guint64 n_uids;
  TrajDemoCounts counts;
  TrajPatientRecords *meds;       /* the current patient's medication list */
  char *rems_id;                  /* the current patient's REMS enrolment ID */
  gboolean rems_seen;             /* … has had an esketamine nasal session */
} Gen;

typedef enum {
  CLASS_REMITTER,
  CLASS_RESPONDER,
  CLASS_PARTIAL,
  CLASS_NON_RESPONDER,
} ResponseClass;

/* CLAMP() evaluates its argument more than once: never give it a random draw. */
static int
clampi (long v, int lo, int hi)
{
  return v < lo ? lo : v > hi ? hi : (int) v;
}

static double
clampd (double v, double lo, double hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

static double
uniform (Gen *g, double lo, double hi)
{
  return g_rand_double_range (g->rand, lo, hi);
}

static int
irange (Gen *g, int lo, int hi_inclusive)
{
  return g_rand_int_range (g->rand, lo, hi_inclusive + 1);
}

static gboolean
chance (Gen *g, double p)
{
  return g_rand_double (g->rand) < p;
}

static double
normal (Gen *g)
{
  /* Box–Muller */
  double u1 = g_rand_double_range (g->rand, 1e-12, 1.0);
  double u2 = g_rand_double (g->rand);
  return sqrt (-2.0 * log (u1)) * cos (2 * G_PI * u2);
}

/* A version 7 UUID (RFC 9562): a millisecond count first, so the uids of a
 * generated clinic come in increasing order and every unique-index insert
 * lands at the end of its index (random uids scatter inserts over the whole
 * index, which then no longer fits the page cache: generation grew faster
 * than the clinic). The count starts at the anchor day; the rest is drawn
 * from the seed, so a clinic is still the same for the same seed. */
static char *
det_uuid (Gen *g)
{
  guint64 ms = (guint64) MAX (g->anchor, 0) * G_GUINT64_CONSTANT (86400000) + g->n_uids++;
  guint32 b = g_rand_int (g->rand), c = g_rand_int (g->rand), d = g_rand_int (g->rand);

  (void) g_rand_int (g->rand);   /* the draw the random version made, so the rest of the clinic stays the same */
  return g_strdup_printf ("%08x-%04x-7%03x-%04x-%04x%08x",
                          (guint32) (ms >> 16 & 0xffffffffu), (guint32) (ms & 0xffff), b & 0xfff,
                          (c >> 16 & 0x3fff) | 0x8000, c & 0xffff, d);
}

/* Spreads @total over the scale's items, each within the answer range. */
static void
spread_items (Gen *g, const TrajScale *scale, int total, int *items, gboolean item9_allowed)
{
  guint n = scale->n_items;
  int capacity = (int) n * scale->item_max;
  int left;

  if (scale->safety_item > 0 && !item9_allowed)
    capacity -= scale->item_max;
  left = MIN (total, capacity);

  for (guint k = 0; k < n; k++)
    items[k] = 0;
  if (n == 1)
    {
      items[0] = CLAMP (total, scale->item_min, scale->item_max);
      return;
    }
  while (left > 0)
    {
      guint k = (guint) g_rand_int_range (g->rand, 0, (gint32) n);
      if (traj_scale_is_safety_item (scale->id, k) && !item9_allowed)
        continue;
      if (items[k] < scale->item_max)
        {
          items[k]++;
          left--;
        }
    }
}

static int
clamp_score (const TrajScale *scale, double v)
{
  return clampi (lround (v), scale->total_min, scale->total_max);
}

typedef struct {
  const TrajCourse *course;
  const TrajScale *primary;
  const TrajScale *secondary;        /* PHQ-9 beside a non-PHQ primary, or NULL */
  ResponseClass klass;
  double baseline;
  double nadir;
  double secondary_ratio;            /* secondary baseline / primary baseline */
  gboolean safety_patient;
  gboolean madrs;
  TrajRoute route;
  TrajMedicine medicine;
  double weight;
  double dose;
  /* dynamic state */
  int infusions_given;
  double level;                      /* current primary score, continuous */
  gint32 hold_until;                 /* responders hold their gain until then */
  gint32 last_infusion_day;
  gint32 last_assessment_day;
  int worse_streak;
  gint32 booster_due;
  gboolean maintenance;
  int maintenance_every;
} CourseSim;

static gboolean
add_assessment (Gen *g, CourseSim *s, const TrajScale *scale, double value, gint64 at,
                TrajTiming timing, gint64 infusion_id, gboolean allow_item9, GError **error)
{
  g_autoptr(TrajAssessment) a = traj_assessment_new (scale->id);
  int total = clamp_score (scale, value);

  a->uid = det_uuid (g);
  a->patient_id = s->course->patient_id;
  a->course_id = s->course->id;
  a->infusion_id = infusion_id;
  a->taken_at = at;
  a->timing = timing;
  a->source = chance (g, 0.6) ? TRAJ_SOURCE_TABLET : TRAJ_SOURCE_CLINICIAN;
  if (scale->n_items == 0)
    a->total = total;
  else
    {
      spread_items (g, scale, total, a->items, FALSE);
      if (scale->safety_item > 0 && allow_item9)
        {
          /* Move one point onto the safety item (PHQ-9 item 9, thoughts of self-harm). */
          for (guint k = 0; k < scale->safety_item - 1; k++)
            if (a->items[k] > 0)
              {
                a->items[k]--;
                a->items[scale->safety_item - 1] = 1;
                break;
              }
        }
      /* An interrupted tablet session now and then: stored as a draft. */
      if (a->source == TRAJ_SOURCE_TABLET && chance (g, 0.01))
        a->items[scale->n_items - 1] = -1;
      if (scale->has_difficulty && chance (g, 0.5))
        a->difficulty = CLAMP (total / 7, 0, 3);
    }
  if (!traj_store_insert_assessment (g->store, a, error))
    return FALSE;
  g->counts.assessments++;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    if (a->items[k] >= 0)
      g->counts.items++;
  return TRUE;
}

static double
noisy (Gen *g, double v, double sd)
{
  return v + normal (g) * sd;
}

static gboolean
assess (Gen *g, CourseSim *s, gint64 at, TrajTiming timing, gint64 infusion_id, GError **error)
{
  double v = noisy (g, s->level, s->primary->total_max / 27.0);
  gboolean item9 = FALSE;

  if (s->safety_patient && s->primary->safety_item > 0 && chance (g, 0.25))
    item9 = TRUE;
  if (!add_assessment (g, s, s->primary, v, at, timing, infusion_id, item9, error))
    return FALSE;
  if (s->secondary)
    {
      double w = noisy (g, s->level * s->secondary_ratio, 1.0);
      if (s->safety_patient && chance (g, 0.25))
        item9 = TRUE;
      if (!add_assessment (g, s, s->secondary, w, at + 60, timing, infusion_id, item9, error))
        return FALSE;
    }
  s->last_assessment_day = traj_day_from_time (at);
  return TRUE;
}

static void
add_vitals (Gen *g, TrajInfusion *inf, gboolean hypertensive_event)
{
  int sbp0 = (int) noisy (g, 124, 12), dbp0 = (int) noisy (g, 78, 8);
  int hr0 = (int) noisy (g, 76, 8);
  double rise = uniform (g, 10, 26) + (hypertensive_event ? 45 : 0);
  const int minutes[] = { 0, 20, 40, 60, 90 };
  guint n = inf->route == TRAJ_ROUTE_IV ? 5 : 4;

  for (guint k = 0; k < n; k++)
    {
      int m = minutes[k];
      /* Pressor response rises to a peak about 40 min in, then settles. */
      double f = m <= 40 ? m / 40.0 : MAX (0.0, 1.0 - (m - 40) / 60.0);
      TrajVitalSign *v = traj_vital_sign_new (k == n - 1 ? (inf->route == TRAJ_ROUTE_IV ? 90 : 120) : m);

      v->uid = det_uuid (g);
      /* Sedation lowers no pressure in these synthetic clinics: systolic
       * stays at or above the low monitoring limit, and the diastolic at
       * least 20 mmHg below the systolic (a real reading's pulse pressure). */
      v->systolic = clampi (lround (sbp0 + rise * f + normal (g) * 3), 90, 240);
      v->diastolic = MIN (clampi (lround (dbp0 + rise * 0.55 * f + normal (g) * 2), 50, 140), v->systolic - 20);
      v->heart_rate = clampi (lround (hr0 + 8 * f + normal (g) * 3), 50, 130);
      v->spo2 = clampi (lround (97.5 + normal (g)), 93, 100);
      v->resp_rate = clampi (lround (14 + normal (g) * 1.5), 10, 22);
      g_ptr_array_add (inf->vitals, v);
    }
}

/* CLINICAL.md §8: the esketamine monitoring record's answers, as staff
 * give them for most sessions: the patient's enrolment ID, who monitored,
 * vitals acceptable, sedation and dissociation as the session's measures
 * say. A few records stay incomplete (an answer not given) or record
 * monitoring under two hours, so the completeness check shows. Drawn from
 * the session's uid, not from the generator, so the rest of the clinic
 * stays the same. */
static void
monitoring_answers (Gen *g, TrajInfusion *inf)
{
  guint h = g_str_hash (inf->uid) * 2654435761u;
  guint gap = h % 100;

  inf->monitoring_min = 120 + (int) ((h >> 8) % 4) * 5;
  if (gap < 3)
    inf->monitoring_min = 95 + (int) ((h >> 8) % 4) * 5;    /* left early: said plainly */
  /* Most patients would have been fit to leave well before two hours. */
  inf->ready_at = inf->started_at + (gint64) (60 + (int) ((h >> 12) % 9) * 5) * 60;
  inf->rems_first_session = g->rems_seen ? 0 : 1;
  g->rems_seen = TRUE;
  inf->rems_patient_id = g_strdup (g->rems_id);
  inf->rems_monitored_by = g_strdup (inf->clinician);
  inf->rems_vitals_ok_before = 1;
  inf->rems_vitals_ok_leaving = 1;
  inf->rems_sedation = inf->moaas_lowest >= 0 ? inf->moaas_lowest <= 3 : !!(inf->side_effects & TRAJ_SIDE_SEDATION);
  inf->rems_dissociation = !!(inf->side_effects & TRAJ_SIDE_DISSOCIATION) || inf->cadss_total >= 20;
  inf->rems_resp_depression = 0;
  inf->rems_adverse = !!(inf->side_effects & (TRAJ_SIDE_NAUSEA | TRAJ_SIDE_VOMITING | TRAJ_SIDE_HEADACHE |
                                               TRAJ_SIDE_DIZZINESS | TRAJ_SIDE_ANXIETY));
  inf->rems_adverse_note = g_strdup (!inf->rems_adverse ? "" :
                                     inf->side_effects & TRAJ_SIDE_VOMITING ? "Vomited once, settled" :
                                     inf->side_effects & TRAJ_SIDE_NAUSEA ? "Mild nausea" :
                                     inf->side_effects & TRAJ_SIDE_HEADACHE ? "Headache, resolved" :
                                     inf->side_effects & TRAJ_SIDE_DIZZINESS ? "Dizzy on standing, resolved" :
                                     "Anxious during dissociation, reassured");
  /* A few forms left unfinished. */
  if (gap >= 3 && gap < 6)
    inf->rems_vitals_ok_leaving = -1;
  else if (gap >= 6 && gap < 8)
    {
      g_clear_pointer (&inf->rems_monitored_by, g_free);
      inf->rems_resp_depression = -1;
    }
}

static gboolean
infuse (Gen *g, CourseSim *s, gint32 day, TrajPhase phase, GError **error)
{
  g_autoptr(TrajInfusion) inf = traj_infusion_new ();
  int hour = irange (g, 8, 14), minute = irange (g, 0, 3) * 15;
  gint64 start = traj_time_from_day (day, hour, minute);
  static const guint common_effects[] = { 3, 0, 2, 5, 4, 6 };
  static const double effect_p[] = { 0.30, 0.10, 0.12, 0.08, 0.06, 0.05 };

  /* Scores are taken before the infusion changes them. */
  if (!assess (g, s, start - 30 * 60, TRAJ_TIMING_PRE, 0, error))
    return FALSE;

  inf->uid = det_uuid (g);
  inf->patient_id = s->course->patient_id;
  inf->course_id = s->course->id;
  inf->started_at = start;
  inf->route = s->route;
  inf->medicine = s->medicine;
  inf->phase = phase;
  inf->weight_kg = round (noisy (g, s->weight, 0.4) * 10) / 10;
  if (traj_dose_is_fixed (s->route, s->medicine))
    {
      inf->dose_mg_per_kg = 0;
      inf->total_mg = s->dose;
      inf->duration_min = 5;
      inf->monitoring_min = 120;
    }
  else
    {
      inf->dose_mg_per_kg = s->dose;
      inf->total_mg = round (s->dose * inf->weight_kg * 10) / 10;
      inf->duration_min = s->route == TRAJ_ROUTE_IV ? 40 : 5;
      inf->monitoring_min = s->route == TRAJ_ROUTE_IV ? 60 : 90;
    }
  inf->lot = g_strdup_printf ("L%04d", irange (g, 1000, 9999));
  inf->ready_at = start + (gint64) (inf->duration_min + inf->monitoring_min) * 60;
  inf->clinician = g_strdup (chance (g, 0.5) ? "Dr. A. Rivera" : "N. Okoye, RN");
  for (guint k = 0; k < G_N_ELEMENTS (common_effects); k++)
    if (chance (g, effect_p[k]))
      inf->side_effects |= 1u << common_effects[k];
  if (chance (g, 0.08))
    inf->concomitant |= TRAJ_CONCOMITANT_BENZODIAZEPINE;
  /* What the infusion form fills in from the patient's list. */
  inf->concomitant |= traj_medications_concomitant_on (g->meds, day);
  add_vitals (g, inf, chance (g, 0.02));
  /* CLINICAL.md §8 tolerability: most infusions have a CADSS total at about
   * 40 minutes (falling over the induction, as dissociation does) and the
   * lowest MOAA/S, a few of them sedated (≤ 3). Drawn from the uid, not
   * from the generator, so the rest of the clinic stays the same. */
  {
    guint h = g_str_hash (inf->uid);

    if (h % 10 < 8)
      {
        int cadss = 6 + (int) ((h >> 4) % 24) - 2 * s->infusions_given;
        if (inf->side_effects & TRAJ_SIDE_DISSOCIATION)
          cadss += 14;
        inf->cadss_total = clampi (cadss, 0, TRAJ_CADSS_MAX);
        inf->moaas_lowest = (h >> 10) % 100 < 12 ? 2 + (int) ((h >> 17) % 2) : 4 + (int) ((h >> 17) % 2);
      }
  }
  {
    int sbp = 0;
    traj_infusion_bp_peak (inf, &sbp, NULL);
    if (sbp >= 160)
      inf->side_effects |= TRAJ_SIDE_HYPERTENSION;
  }
  if (traj_rems_applies (inf))
    monitoring_answers (g, inf);
  if (!traj_store_insert_infusion (g->store, inf, error))
    return FALSE;
  g->counts.infusions++;
  g->counts.vital_signs += inf->vitals->len;
  s->infusions_given++;
  s->last_infusion_day = day;
  return TRUE;
}

/* Primary-score response to one more infusion. */
static void
respond (Gen *g, CourseSim *s, TrajPhase phase)
{
  if (phase == TRAJ_PHASE_INDUCTION)
    {
      double k = s->infusions_given;
      double reach = 1.0 - exp (-k / 1.7);
      double full = 1.0 - exp (-6.0 / 1.7);
      s->level = s->baseline - (s->baseline - s->nadir) * MIN (1.0, reach / full);
    }
  else
    s->level = s->nadir + uniform (g, 0, s->primary->total_max / 27.0 * 1.5);
  /* Responders keep the gain for a while: median ~18 days (Murrough 2013). */
  s->hold_until = g_rand_int_range (g->rand, 0, 1) +
                  (gint32) lround (18.0 * exp (0.55 * normal (g)));
}

static gboolean
simulate_course (Gen *g, CourseSim *s, gint32 end_day, GError **error)
{
  const TrajCourse *c = s->course;
  gint32 day;
  int induction_days[6] = { 0, 2, 4, 7, 9, 11 };
  int induction_n = c->induction_length;
  gint32 hold_end = G_MAXINT32;

  /* Dropout: about one in ten stop before the end of induction. */
  if (chance (g, 0.10))
    induction_n = irange (g, 2, c->induction_length - 1);

  s->level = s->baseline;
  s->last_assessment_day = TRAJ_DAY_NONE;

  /* Screening a few days before the first infusion. */
  if (!assess (g, s, traj_time_from_day (c->start_day - irange (g, 3, 9), irange (g, 9, 16), 0),
               TRAJ_TIMING_BETWEEN, 0, error))
    return FALSE;

  for (day = c->start_day; day <= end_day; day++)
    {
      gboolean infusion_today = FALSE;
      TrajPhase phase = TRAJ_PHASE_INDUCTION;

      if (s->infusions_given < induction_n)
        {
          int k = s->infusions_given;
          if (day == c->start_day + induction_days[MIN (k, 5)] + (k >= 6 ? (k - 5) * 2 : 0))
            infusion_today = TRUE;
        }
      else if (s->infusions_given < c->induction_length)
        break;            /* dropped out */
      else if (s->booster_due != 0 && day >= s->booster_due)
        {
          infusion_today = TRUE;
          phase = TRAJ_PHASE_BOOSTER;
          s->booster_due = 0;
        }
      else if (s->maintenance && day - s->last_infusion_day >= s->maintenance_every)
        {
          infusion_today = TRUE;
          phase = TRAJ_PHASE_MAINTENANCE;
        }

      if (infusion_today)
        {
          if (!infuse (g, s, day, phase, error))
            return FALSE;
          respond (g, s, phase);
          hold_end = day + s->hold_until;
          s->worse_streak = 0;
          /* A post-infusion rating now and then on the same day. */
          if (chance (g, 0.08) && !assess (g, s, traj_time_from_day (day, 17, 0), TRAJ_TIMING_POST, 0, error))
            return FALSE;
          continue;
        }

      if (s->infusions_given >= c->induction_length)
        {
          /* After the gain is lost, scores drift back towards baseline. */
          if (s->klass <= CLASS_RESPONDER && day > hold_end)
            s->level = MIN (s->baseline * 0.9, s->level + (s->baseline * 0.85 - s->nadir) / 21.0);
          else if (s->klass > CLASS_RESPONDER)
            s->level = MIN (s->baseline * 0.95, s->level + s->baseline * 0.004);

          if (s->last_assessment_day != TRAJ_DAY_NONE && day - s->last_assessment_day >= 7)
            {
              int mcid = s->primary->mcid;
              if (!assess (g, s, traj_time_from_day (day, irange (g, 9, 17), 0), TRAJ_TIMING_BETWEEN, 0, error))
                return FALSE;
              if (s->klass <= CLASS_RESPONDER && (s->level >= s->nadir + mcid || s->level > 0.5 * s->baseline))
                s->worse_streak++;
              /* The clinic usually books a booster after two worse scores. */
              if (s->worse_streak >= 2 && s->booster_due == 0)
                {
                  if (chance (g, 0.7))
                    s->booster_due = day + irange (g, 2, 6);
                  s->worse_streak = -50;    /* decided either way */
                }
            }
        }
    }
  return TRUE;
}

/* A working clinic has already dealt with most findings: decide the ones
 * that fired more than ten days before the anchor, as the clinic would have,
 * so the demo opens on a realistic handful of open findings. */
static gboolean
decide_old_findings (Gen *g, gint64 patient_id, GError **error)
{
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (g->store, patient_id, error);
  g_autoptr(TrajOutcomes) o = NULL;
  TrajThresholds t;
  gint64 cutoff = traj_time_from_day (g->anchor - 10, 0, 0);

  if (r == NULL)
    return FALSE;
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_from_day (g->anchor, 0, 0));
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      const char * const *choices = traj_finding_kind_decisions (f->kind);
      g_autoptr(TrajFlagDecision) d = NULL;
      guint n = g_strv_length ((char **) choices);

      if (!f->open || f->fired_at >= cutoff)
        continue;
      d = traj_finding_new_decision (f, choices[g_rand_int_range (g->rand, 0, (gint32) n)],
                                     f->kind == TRAJ_FINDING_SAFETY ? "Spoke with the patient; safety plan reviewed." : "");
      d->uid = det_uuid (g);
      d->decided_by = g_strdup (chance (g, 0.5) ? "Dr. A. Rivera" : "Dr. S. Mensah");
      d->decided_at = f->fired_at + irange (g, 1, 3) * 3600 * 24;
      if (!traj_store_insert_flag_decision (g->store, d, error))
        return FALSE;
    }
  return TRUE;
}

/* CLINICAL.md §8: a medication list for some patients, taken from the
 * index (never the generator, so every other figure of a seeded clinic
 * stays as it was): benzodiazepines for one in six (some stopped the day
 * before the first course, some started during it), lamotrigine for one in
 * nine, antidepressants, and now and then a stimulant, opioid, z-drug,
 * MAOI or lithium. */
static gboolean
add_medication (Gen *g, const TrajPatient *p, guint n, TrajMedClass klass, const char *name, const char *dose,
                gint32 start, gint32 stop, GError **error)
{
  g_autoptr(TrajMedication) m = traj_medication_new ();

  m->uid = g_strdup_printf ("%s-m%u", p->uid, n);
  m->patient_id = p->id;
  m->klass = klass;
  m->name = g_strdup (name);
  m->dose = g_strdup (dose);
  m->start_day = start;
  m->stop_day = stop;
  if (!traj_store_insert_medication (g->store, m, error))
    return FALSE;
  g_ptr_array_add (g->meds->medications, g_steal_pointer (&m));
  return TRUE;
}

static gboolean
add_medications (Gen *g, const TrajPatient *p, guint index, gint32 first_start, GError **error)
{
  static const char *benzos[][2] = {
    { "Lorazepam", "1 mg at night" }, { "Clonazepam", "0.5 mg twice daily" }, { "Alprazolam", "0.25 mg as needed" },
  };
  static const char *antidepressants[][2] = {
    { "Sertraline", "100 mg daily" }, { "Escitalopram", "20 mg daily" }, { "Bupropion", "300 mg XL daily" },
    { "Venlafaxine", "150 mg XR daily" },
  };
  gint32 late = MIN (first_start + 10, g->anchor - 1);
  guint n = 0;
  gboolean ok = TRUE;

  g_ptr_array_set_size (g->meds->medications, 0);
  if (index % 6 == 1)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_BENZODIAZEPINE, benzos[index / 6 % 3][0], benzos[index / 6 % 3][1],
                         index % 12 == 7 ? late : first_start - 200 - (gint32) (index % 90),
                         index % 12 == 1 ? first_start - 1 : TRAJ_DAY_NONE, error);
  if (ok && index % 9 == 2)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_LAMOTRIGINE, "Lamotrigine", "200 mg daily",
                         first_start - 365, TRAJ_DAY_NONE, error);
  if (ok && index % 4 == 0)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_ANTIDEPRESSANT, antidepressants[index / 4 % 4][0],
                         antidepressants[index / 4 % 4][1], index % 8 == 0 ? TRAJ_DAY_NONE : first_start - 120,
                         TRAJ_DAY_NONE, error);
  if (ok && index % 15 == 4)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_PSYCHOSTIMULANT, "Lisdexamfetamine", "30 mg mornings",
                         first_start - 90, TRAJ_DAY_NONE, error);
  if (ok && p->indication == TRAJ_INDICATION_CHRONIC_PAIN && index % 3 == 0)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_OPIOID, "Tramadol", "50 mg as needed",
                         first_start - 400, TRAJ_DAY_NONE, error);
  if (ok && index % 23 == 5)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_Z_DRUG, "Zolpidem", "5 mg at night",
                         first_start - 60, first_start + 20 < g->anchor ? first_start + 20 : TRAJ_DAY_NONE, error);
  if (ok && index % 37 == 11)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_MAOI, "Phenelzine", "15 mg three times daily",
                         first_start - 150, TRAJ_DAY_NONE, error);
  if (ok && p->indication == TRAJ_INDICATION_BIPOLAR_DEPRESSION)
    ok = add_medication (g, p, n++, TRAJ_MED_CLASS_LITHIUM, "Lithium carbonate", "600 mg at night",
                         first_start - 700, TRAJ_DAY_NONE, error);
  g->counts.medications += n;
  return ok;
}

static gboolean
generate_patient (Gen *g, guint index, GError **error)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  double r = g_rand_double (g->rand);
  TrajIndication ind;
  int age = irange (g, 19, 74);
  guint n_courses = chance (g, 0.12) ? 2 : 1;
  gint32 first_start = g->anchor - irange (g, 4, 540);
  gboolean safety = chance (g, 0.06);

  if (r < 0.48)
    ind = TRAJ_INDICATION_DEPRESSION;
  else if (r < 0.66)
    ind = TRAJ_INDICATION_PTSD;
  else if (r < 0.79)
    ind = TRAJ_INDICATION_CHRONIC_PAIN;
  else if (r < 0.88)
    ind = TRAJ_INDICATION_ANXIETY;
  else if (r < 0.94)
    ind = TRAJ_INDICATION_BIPOLAR_DEPRESSION;
  else if (r < 0.98)
    ind = TRAJ_INDICATION_OCD;
  else
    ind = TRAJ_INDICATION_SUBSTANCE_USE;

  p->uid = det_uuid (g);
  p->mrn = g_strdup_printf ("%07u", 1000000 + index * 7 + 3);
  {
    /* The same draws in the same order as before names followed sex, so
     * every other figure of a seeded clinic stays as it was. */
    guint first = (guint) g_rand_int_range (g->rand, 0, 50);
    const char *last = last_names[g_rand_int_range (g->rand, 0, G_N_ELEMENTS (last_names))];

    p->sex = chance (g, 0.55) ? TRAJ_SEX_FEMALE : (chance (g, 0.97) ? TRAJ_SEX_MALE : TRAJ_SEX_OTHER);
    p->name = g_strdup_printf ("%s %s",
                               p->sex == TRAJ_SEX_FEMALE ? female_names[first] :
                               p->sex == TRAJ_SEX_MALE ? male_names[first] :
                               other_names[first % G_N_ELEMENTS (other_names)],
                               last);
  }
  p->indication = ind;
  /* CLINICAL.md §8: details for most depression and pain patients, taken
   * from the index so the random stream stays as it was. */
  {
    const char * const *details = traj_indication_details (ind);
    guint n = g_strv_length ((char **) details);
    if (n > 0 && index % 5 != 4)
      p->indication_detail = g_strdup (details[index % n]);
  }
  /* Issue 15: a history of substance use, from the index as the details
   * are: about one in five in the past, one in twenty current, one in five
   * not recorded, the rest none; current for those treated for it. */
  {
    guint h = (index * 7 + 3) % 20;

    p->substance_use = ind == TRAJ_INDICATION_SUBSTANCE_USE ? TRAJ_SUBSTANCE_USE_CURRENT
                       : h < 4 ? TRAJ_SUBSTANCE_USE_PAST
                       : h == 4 ? TRAJ_SUBSTANCE_USE_CURRENT
                       : h < 16 ? TRAJ_SUBSTANCE_USE_NONE
                       : TRAJ_SUBSTANCE_USE_UNKNOWN;
  }
  p->birth_day = first_start - age * 365 - irange (g, 0, 364);
  p->created_at = traj_time_from_day (first_start - 10, 9, 0);
  if (chance (g, 0.15))
    p->notes = g_strdup ("Synthetic demo patient.");
  /* Patients who answer item 9 carry the suicidal-ideation flag from intake. */
  if (safety)
    {
      p->risk_si_at = traj_time_from_day (first_start - 10, 10, 30);
      p->risk_si_by = g_strdup ("Dr Demo");
    }
  if (!traj_store_insert_patient (g->store, p, error))
    return FALSE;
  g->counts.patients++;
  g_free (g->rems_id);
  /* A made-up enrolment ID, the same for every session of the patient. */
  g->rems_id = g_strdup_printf ("%010u", g_str_hash (p->uid) % 1000000000u + 1000000000u);
  g->rems_seen = FALSE;
  if (!add_medications (g, p, index, first_start, error))
    return FALSE;

  for (guint ci = 0; ci < n_courses; ci++)
    {
      g_autoptr(TrajCourse) c = traj_course_new ();
      CourseSim s = { 0 };
      double rc = g_rand_double (g->rand), rr = g_rand_double (g->rand);
      gint32 start = ci == 0 ? first_start - (n_courses > 1 ? 300 : 0) : first_start;
      gint32 length = irange (g, 45, 260);

      c->uid = det_uuid (g);
      c->patient_id = p->id;
      c->indication = ind;
      c->indication_detail = g_strdup (p->indication_detail);
      c->primary_scale = traj_indication_default_scale (ind);
      c->induction_length = chance (g, 0.85) ? 6 : (chance (g, 0.5) ? 4 : 8);
      c->start_day = start;
      if (start + length <= g->anchor)
        {
          c->end_day = start + length;
          c->status = TRAJ_COURSE_ENDED;
        }
      else
        c->status = g->anchor - start > 14 ? TRAJ_COURSE_MAINTENANCE : TRAJ_COURSE_INDUCTION;

      if (rr < 0.78)
        {
          s.route = TRAJ_ROUTE_IV;
          s.medicine = TRAJ_MEDICINE_KETAMINE;
          s.dose = chance (g, 0.8) ? 0.5 : (chance (g, 0.5) ? 0.75 : 1.0);
          c->protocol = g_strdup (s.dose == 0.5 ? "IV 0.5 mg/kg ×6" : "IV titrated");
        }
      else if (rr < 0.86)
        {
          s.route = TRAJ_ROUTE_IM;
          s.medicine = TRAJ_MEDICINE_KETAMINE;
          s.dose = chance (g, 0.5) ? 0.5 : 0.75;
          c->protocol = g_strdup ("IM 0.5–0.75 mg/kg");
        }
      else
        {
          s.route = TRAJ_ROUTE_INTRANASAL;
          s.medicine = TRAJ_MEDICINE_ESKETAMINE;
          s.dose = chance (g, 0.6) ? 84 : 56;
          c->protocol = g_strdup ("Esketamine nasal");
        }
      if (!traj_store_insert_course (g->store, c, error))
        return FALSE;
      g->counts.courses++;

      s.course = c;
      s.primary = traj_scale_get (c->primary_scale);
      s.secondary = c->primary_scale != TRAJ_SCALE_PHQ9 ? traj_scale_get (TRAJ_SCALE_PHQ9) : NULL;
      s.safety_patient = safety;
      s.weight = clampd (noisy (g, p->sex == TRAJ_SEX_FEMALE ? 70 : 84, 13), 45, 150);
      s.klass = rc < 0.30 ? CLASS_REMITTER : rc < 0.50 ? CLASS_RESPONDER : rc < 0.75 ? CLASS_PARTIAL : CLASS_NON_RESPONDER;
      switch (s.primary->id)
        {
        case TRAJ_SCALE_GAD7: s.baseline = uniform (g, 11, 19); break;
        case TRAJ_SCALE_PAIN_NRS: s.baseline = uniform (g, 6, 9.4); break;
        case TRAJ_SCALE_PCL5: s.baseline = uniform (g, 40, 66); break;
        case TRAJ_SCALE_YBOCS: s.baseline = uniform (g, 20, 32); break;
        case TRAJ_SCALE_PHQ9:
        case TRAJ_SCALE_MADRS:
        case TRAJ_SCALE_NONE:
        case TRAJ_N_SCALES:
        default: s.baseline = uniform (g, 14, 24); break;
        }
      switch (s.klass)
        {
        case CLASS_REMITTER:
          s.nadir = uniform (g, 0.3, 0.9) * s.primary->remission_max;
          break;
        case CLASS_RESPONDER:
          s.nadir = uniform (g, s.primary->remission_max + 1.5, MAX (s.primary->remission_max + 1.6, 0.48 * s.baseline));
          break;
        case CLASS_PARTIAL:
          s.nadir = uniform (g, 0.58, 0.78) * s.baseline;
          break;
        case CLASS_NON_RESPONDER:
        default:
          s.nadir = uniform (g, 0.82, 1.0) * s.baseline;
          break;
        }
      s.secondary_ratio = s.secondary ? uniform (g, 12, 20) / s.baseline : 0;
      s.maintenance = s.klass <= CLASS_RESPONDER && chance (g, 0.25);
      s.maintenance_every = irange (g, 21, 30);
      /* The last events happen the day before the anchor, so nothing is
       * dated later than "now" whatever the time of day. */
      if (!simulate_course (g, &s, MIN (c->status == TRAJ_COURSE_ENDED ? c->end_day : g->anchor, g->anchor - 1), error))
        return FALSE;
    }
  return decide_old_findings (g, p->id, error);
}

/* The demo clinic's name and address (the esketamine monitoring record
 * asks for both), unless the clinic already has its own. */
static gboolean
name_demo_clinic (TrajStore *store, GError **error)
{
  static const char *const settings[][2] = {
    { "clinic-name", "Riverside Ketamine Clinic (demo)" },
    { "clinic-address", "12 Mill Lane, Springfield" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
    {
      GError *local = NULL;
      g_autofree char *value = traj_store_get_setting (store, settings[k][0], &local);

      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      if ((value == NULL || *value == '\0') && !traj_store_set_setting (store, settings[k][0], settings[k][1], error))
        return FALSE;
    }
  return TRUE;
}

/* Rows written so far (for traj_bulk_yield ()). */
static guint
demo_rows (const TrajDemoCounts *c)
{
  return c->patients + c->courses + c->infusions + c->vital_signs + c->assessments + c->medications;
}

gboolean
traj_demo_generate (TrajStore        *store,
                    guint32           seed,
                    guint             n_patients,
                    gint32            anchor_day,
                    TrajDemoCounts   *counts,
                    TrajProgressFunc  progress,
                    gpointer          progress_data,
                    GCancellable     *cancellable,
                    GError          **error)
{
  Gen g = { 0 };
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);

  if (n_patients == 0 || n_patients > 1000000)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The demo clinic needs between 1 and 1,000,000 patients (asked for %u)."), n_patients);
      return FALSE;
    }
  if (anchor_day == TRAJ_DAY_NONE)
    anchor_day = traj_day_today ();

  g.store = store;
  g.rand = g_rand_new_with_seed (seed);
  g.anchor = anchor_day;
  g.meds = traj_patient_records_new ();

  summary = g_strdup_printf ("demo clinic: seed %u, %u patients", seed, n_patients);
  if (!traj_store_bulk_begin (store, "demo", summary, error))
    {
      g_rand_free (g.rand);
      return FALSE;
    }
  if (!name_demo_clinic (store, error))
    {
      traj_store_bulk_rollback (store);
      g_rand_free (g.rand);
      traj_patient_records_free (g.meds);
      return FALSE;
    }
  for (guint k = 0; k < n_patients; k++)
    {
      guint rows = demo_rows (&g.counts);

      if (!generate_patient (&g, k, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !traj_bulk_yield (store, demo_rows (&g.counts) - rows, error))
        {
          traj_store_bulk_rollback (store);
          g_rand_free (g.rand);
          traj_patient_records_free (g.meds);
          g_free (g.rems_id);
          return FALSE;
        }
      if (progress && (k % 64 == 0 || k + 1 == n_patients))
        progress ((double) (k + 1) / n_patients, progress_data);
    }
  g_rand_free (g.rand);
  traj_patient_records_free (g.meds);
  g_free (g.rems_id);
  if (!traj_store_bulk_commit (store, error))
    return FALSE;
  if (counts)
    *counts = g.counts;
  return TRUE;
}
