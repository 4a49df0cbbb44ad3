/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-fhir"

#include "config.h"

#include <string.h>

#include "traj-fhir.h"
#include "traj-medication.h"
#include "traj-rems.h"
#include "traj-store-private.h"
#include "traj-safe-file.h"
#include "traj-table.h"
#include "traj-validate.h"

#define LOINC "http://loinc.org"
#define SNOMED "http://snomed.info/sct"
#define UCUM "http://unitsofmeasure.org"
#define OBSERVATION_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"

typedef struct {
  JsonBuilder *b;                /* the Bundle being built, or NULL when streaming */
  TrajSafeFile *out;             /* streaming: entries are written as each patient is read */
  JsonGenerator *gen;
  gboolean first;
  GCancellable *cancellable;
  GError *error;
  gint64 n_patients;
  gint64 done;
  TrajProgressFunc progress;
  gpointer progress_data;
  char *patient_uid;             /* the one patient exported, for the audit trail */
} Build;

/* ---- codes ------------------------------------------------------------------- */

const char *
traj_fhir_route_snomed (TrajRoute route)
{
  switch (route)
    {
    case TRAJ_ROUTE_IV:
      return "47625008";
    case TRAJ_ROUTE_IM:
      return "78421000";
    case TRAJ_ROUTE_INTRANASAL:
      return "46713006";
    case TRAJ_ROUTE_ORAL:
      return "26643006";
    case TRAJ_N_ROUTES:
    default:
      return NULL;
    }
}

static const char *
route_display (TrajRoute route)
{
  switch (route)
    {
    case TRAJ_ROUTE_IV:
      return "Intravenous route";
    case TRAJ_ROUTE_IM:
      return "Intramuscular route";
    case TRAJ_ROUTE_INTRANASAL:
      return "Nasal route";
    case TRAJ_ROUTE_ORAL:
      return "Oral route";
    case TRAJ_N_ROUTES:
    default:
      return NULL;
    }
}

const char *
traj_fhir_total_loinc (TrajScaleId scale)
{
  const TrajScale *s = traj_scale_get (scale);

  return s ? s->loinc_total : NULL;
}

static const char *
gender (TrajSex sex)
{
  switch (sex)
    {
    case TRAJ_SEX_FEMALE:
      return "female";
    case TRAJ_SEX_MALE:
      return "male";
    case TRAJ_SEX_OTHER:
      return "other";
    case TRAJ_SEX_UNKNOWN:
    case TRAJ_N_SEXES:
    default:
      return "unknown";
    }
}

static const char *
medicine_text (TrajMedicine medicine)
{
  return medicine == TRAJ_MEDICINE_ESKETAMINE ? "Esketamine" : "Ketamine (racemic)";
}

/* ---- ids ----------------------------------------------------------------------- */

/* Name-based (version 5) UUID in Trajectory's own namespace: derived
 * resources (a QuestionnaireResponse, one Observation per vital) get stable
 * ids from their record's uid. */
static char *
uuid_v5 (const char *uid, const char *suffix)
{
  static const guint8 ns[16] = {
    0x5c, 0x0b, 0x7e, 0x3a, 0x91, 0x4d, 0x4f, 0x26, 0xa8, 0x1e, 0x6d, 0x33, 0x0f, 0xc2, 0x9b, 0x47
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 d[20];
  gsize len = sizeof d;

  g_checksum_update (sum, ns, sizeof ns);
  g_checksum_update (sum, (const guchar *) uid, -1);
  if (suffix)
    {
      g_checksum_update (sum, (const guchar *) "/", 1);
      g_checksum_update (sum, (const guchar *) suffix, -1);
    }
  g_checksum_get_digest (sum, d, &len);
  d[6] = (d[6] & 0x0f) | 0x50;
  d[8] = (d[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
                          d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* The urn:uuid fullUrl of a record: its uid when that is a UUID. */
static char *
urn_for (const char *uid)
{
  g_autofree char *id = NULL;

  if (g_uuid_string_is_valid (uid))
    id = g_ascii_strdown (uid, -1);
  else
    id = uuid_v5 (uid, NULL);
  return g_strconcat ("urn:uuid:", id, NULL);
}

/* ---- builder helpers ---------------------------------------------------------- */

static void
member_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
member_time (JsonBuilder *b, const char *name, gint64 t)
{
  g_autofree char *iso = traj_time_to_iso (t);

  member_string (b, name, iso);
}

static void
add_coding (JsonBuilder *b, const char *system, const char *code, const char *display)
{
  json_builder_begin_object (b);
  member_string (b, "system", system);
  member_string (b, "code", code);
  if (display)
    member_string (b, "display", display);
  json_builder_end_object (b);
}

static void
member_codeable (JsonBuilder *b, const char *name, const char *system, const char *code,
                 const char *display, const char *text)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  if (code)
    {
      json_builder_set_member_name (b, "coding");
      json_builder_begin_array (b);
      add_coding (b, system, code, display);
      json_builder_end_array (b);
    }
  if (text)
    member_string (b, "text", text);
  json_builder_end_object (b);
}

static void
member_category (JsonBuilder *b, const char *code, const char *display)
{
  json_builder_set_member_name (b, "category");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  add_coding (b, OBSERVATION_CATEGORY, code, display);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
member_reference (JsonBuilder *b, const char *name, const char *urn)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  member_string (b, "reference", urn);
  json_builder_end_object (b);
}

/* An Observation made during an infusion: partOf its MedicationAdministration. */
static void
member_part_of (JsonBuilder *b, const char *infusion_urn)
{
  json_builder_set_member_name (b, "partOf");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  member_string (b, "reference", infusion_urn);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
member_quantity (JsonBuilder *b, const char *name, double value, const char *unit)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  if (value == (double) (gint64) value)
    json_builder_add_int_value (b, (gint64) value);
  else
    json_builder_add_double_value (b, value);
  member_string (b, "unit", unit);
  member_string (b, "system", UCUM);
  member_string (b, "code", unit);
  json_builder_end_object (b);
}

/* Opens {"fullUrl": …, "resource": {"resourceType": …, "id": …; the caller
 * fills the resource and calls end_entry (). */
static void
begin_entry (JsonBuilder *b, const char *urn, const char *type)
{
  json_builder_begin_object (b);
  member_string (b, "fullUrl", urn);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  member_string (b, "resourceType", type);
  member_string (b, "id", urn + strlen ("urn:uuid:"));
}

static void
end_entry (JsonBuilder *b)
{
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static char *
number_text (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.4g", v);
  return g_strdup (buf);
}

/* ---- resources ------------------------------------------------------------------ */

static void
add_patient (JsonBuilder *b, const TrajPatient *p, const char *urn)
{
  g_autofree char *birth = traj_day_to_iso (p->birth_day);

  begin_entry (b, urn, "Patient");
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  member_codeable (b, "type", "http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number", "MRN");
  member_string (b, "value", p->mrn);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "name");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  member_string (b, "text", p->name);
  json_builder_end_object (b);
  json_builder_end_array (b);
  member_string (b, "gender", gender (p->sex));
  if (birth)
    member_string (b, "birthDate", birth);
  end_entry (b);
}

/* The highest answer a tablet saved to the scale's safety item (PHQ-9
 * item 9), which may be above the current one: the safety finding stays
 * open until a clinician acknowledges it (CLINICAL.md §4). On the
 * QuestionnaireResponse's safety item and on the score's Observation. */
static void
member_safety_highest (JsonBuilder *b, int highest)
{
  json_builder_set_member_name (b, "extension");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  member_string (b, "url", TRAJ_FHIR_SAFETY_HIGHEST_URL);
  json_builder_set_member_name (b, "valueInteger");
  json_builder_add_int_value (b, highest);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
add_assessment (JsonBuilder *b, const TrajAssessment *a, const char *patient_urn)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  const char *loinc = scale->loinc_total;
  g_autofree char *urn = urn_for (a->uid);
  g_autofree char *qr_id = scale->n_items > 0 ? uuid_v5 (a->uid, "questionnaire-response") : NULL;
  g_autofree char *qr_urn = qr_id ? g_strconcat ("urn:uuid:", qr_id, NULL) : NULL;
  g_autofree char *text = g_strdup_printf ("%s total score", scale->name);

  if (qr_urn)
    {
      begin_entry (b, qr_urn, "QuestionnaireResponse");
      member_string (b, "status", a->complete ? "completed" : "in-progress");
      member_reference (b, "subject", patient_urn);
      member_time (b, "authored", a->taken_at);
      json_builder_set_member_name (b, "item");
      json_builder_begin_array (b);
      for (guint k = 0; k < scale->n_items; k++)
        {
          g_autofree char *link = NULL;
          gboolean highest = scale->safety_item == k + 1 && a->safety_highest > 0;

          if (a->items[k] < 0 && !highest)
            continue;
          link = scale->items[k].loinc ? g_strdup (scale->items[k].loinc)
                                       : g_strdup_printf ("%s-item-%u", scale->code, k + 1);
          json_builder_begin_object (b);
          if (highest)
            member_safety_highest (b, a->safety_highest);
          member_string (b, "linkId", link);
          member_string (b, "text", scale->items[k].text);
          if (a->items[k] >= 0)
            {
              json_builder_set_member_name (b, "answer");
              json_builder_begin_array (b);
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "valueInteger");
              json_builder_add_int_value (b, a->items[k]);
              json_builder_end_object (b);
              json_builder_end_array (b);
            }
          json_builder_end_object (b);
        }
      if (scale->has_difficulty && a->difficulty >= 0)
        {
          const TrajExtraItem *extra = traj_scale_phq9_difficulty ();

          for (guint k = 0; k < extra->n_answers; k++)
            if (extra->answers[k].value == a->difficulty)
              {
                json_builder_begin_object (b);
                member_string (b, "linkId", extra->loinc);
                member_string (b, "text", extra->text);
                json_builder_set_member_name (b, "answer");
                json_builder_begin_array (b);
                json_builder_begin_object (b);
                json_builder_set_member_name (b, "valueCoding");
                add_coding (b, LOINC, extra->answers[k].loinc, extra->answers[k].label);
                json_builder_end_object (b);
                json_builder_end_array (b);
                json_builder_end_object (b);
              }
        }
      json_builder_end_array (b);
      end_entry (b);
    }

  /* A draft has no score. */
  if (!a->complete)
    return;
  begin_entry (b, urn, "Observation");
  if (scale->safety_item > 0 && a->safety_highest > 0)
    member_safety_highest (b, a->safety_highest);
  member_string (b, "status", "final");
  member_category (b, "survey", "Survey");
  /* Coded by LOINC where the scale has a total-score code, else in
   * Trajectory's own code system by the scale's stable code. */
  if (loinc)
    member_codeable (b, "code", LOINC, loinc, NULL, text);
  else
    member_codeable (b, "code", TRAJ_SCALE_CODE_SYSTEM, scale->code, text, text);
  member_reference (b, "subject", patient_urn);
  member_time (b, "effectiveDateTime", a->taken_at);
  json_builder_set_member_name (b, "valueInteger");
  json_builder_add_int_value (b, a->total);
  if (qr_urn)
    {
      json_builder_set_member_name (b, "derivedFrom");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      member_string (b, "reference", qr_urn);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  end_entry (b);
}

static void
begin_vital (JsonBuilder *b, const char *uid, const char *what, const char *code, const char *display,
             const char *patient_urn, const char *infusion_urn, gint64 at)
{
  g_autofree char *id = uuid_v5 (uid, what);
  g_autofree char *urn = g_strconcat ("urn:uuid:", id, NULL);

  begin_entry (b, urn, "Observation");
  member_string (b, "status", "final");
  member_category (b, "vital-signs", "Vital Signs");
  member_codeable (b, "code", LOINC, code, display, display);
  member_reference (b, "subject", patient_urn);
  member_time (b, "effectiveDateTime", at);
  member_part_of (b, infusion_urn);
}

static void
add_bp_component (JsonBuilder *b, const char *code, const char *display, int value)
{
  json_builder_begin_object (b);
  member_codeable (b, "code", LOINC, code, display, display);
  member_quantity (b, "valueQuantity", value, "mm[Hg]");
  json_builder_end_object (b);
}

static void
add_vitals (JsonBuilder *b, const TrajInfusion *i, const char *patient_urn, const char *infusion_urn)
{
  if (i->weight_kg > 0)
    {
      begin_vital (b, i->uid, "body-weight", "29463-7", "Body weight", patient_urn, infusion_urn, i->started_at);
      member_quantity (b, "valueQuantity", i->weight_kg, "kg");
      end_entry (b);
    }
  for (guint k = 0; k < i->vitals->len; k++)
    {
      const TrajVitalSign *v = g_ptr_array_index (i->vitals, k);
      gint64 at = i->started_at + (gint64) v->minute * 60;

      if (v->systolic >= 0 && v->diastolic >= 0)
        {
          begin_vital (b, v->uid, "blood-pressure", "85354-9", "Blood pressure panel with all children optional",
                       patient_urn, infusion_urn, at);
          json_builder_set_member_name (b, "component");
          json_builder_begin_array (b);
          add_bp_component (b, "8480-6", "Systolic blood pressure", v->systolic);
          add_bp_component (b, "8462-4", "Diastolic blood pressure", v->diastolic);
          json_builder_end_array (b);
          end_entry (b);
        }
      if (v->heart_rate >= 0)
        {
          begin_vital (b, v->uid, "heart-rate", "8867-4", "Heart rate", patient_urn, infusion_urn, at);
          member_quantity (b, "valueQuantity", v->heart_rate, "/min");
          end_entry (b);
        }
      if (v->resp_rate >= 0)
        {
          begin_vital (b, v->uid, "respiratory-rate", "9279-1", "Respiratory rate", patient_urn, infusion_urn, at);
          member_quantity (b, "valueQuantity", v->resp_rate, "/min");
          end_entry (b);
        }
      if (v->spo2 >= 0)
        {
          g_autofree char *id = uuid_v5 (v->uid, "oxygen-saturation");
          g_autofree char *urn = g_strconcat ("urn:uuid:", id, NULL);

          /* Coded as the vital-signs profile asks (2708-6) and as pulse
           * oximetry (59408-5), which is how clinics measure it. */
          begin_entry (b, urn, "Observation");
          member_string (b, "status", "final");
          member_category (b, "vital-signs", "Vital Signs");
          json_builder_set_member_name (b, "code");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "coding");
          json_builder_begin_array (b);
          add_coding (b, LOINC, "2708-6", "Oxygen saturation in Arterial blood");
          add_coding (b, LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry");
          json_builder_end_array (b);
          member_string (b, "text", "Oxygen saturation (SpO2)");
          json_builder_end_object (b);
          member_reference (b, "subject", patient_urn);
          member_time (b, "effectiveDateTime", at);
          member_part_of (b, infusion_urn);
          member_quantity (b, "valueQuantity", v->spo2, "%");
          end_entry (b);
        }
    }
}

/* CLINICAL.md §8 per-infusion tolerability: no LOINC code exists for the
 * CADSS total or the lowest MOAA/S, so both are coded in Trajectory's own
 * code system, part of their infusion. */
static void
add_tolerability (JsonBuilder *b, const TrajInfusion *i, const char *patient_urn, const char *infusion_urn)
{
  static const struct {
    const char *code;
    const char *text;
    gsize offset;
  } measures[] = {
    { "cadss", "CADSS total score", G_STRUCT_OFFSET (TrajInfusion, cadss_total) },
    { "moaas-lowest", "Lowest MOAA/S during monitoring", G_STRUCT_OFFSET (TrajInfusion, moaas_lowest) },
  };

  for (guint k = 0; k < G_N_ELEMENTS (measures); k++)
    {
      int value = G_STRUCT_MEMBER (int, i, measures[k].offset);
      g_autofree char *id = NULL;
      g_autofree char *urn = NULL;

      if (value < 0)
        continue;
      id = uuid_v5 (i->uid, measures[k].code);
      urn = g_strconcat ("urn:uuid:", id, NULL);
      begin_entry (b, urn, "Observation");
      member_string (b, "status", "final");
      member_category (b, "survey", "Survey");
      member_codeable (b, "code", TRAJ_SCALE_CODE_SYSTEM, measures[k].code, measures[k].text, measures[k].text);
      member_reference (b, "subject", patient_urn);
      member_time (b, "effectiveDateTime", i->started_at);
      member_part_of (b, infusion_urn);
      json_builder_set_member_name (b, "valueInteger");
      json_builder_add_int_value (b, value);
      end_entry (b);
    }
}

static void
add_note (JsonBuilder *b, const char *text)
{
  json_builder_begin_object (b);
  member_string (b, "text", text);
  json_builder_end_object (b);
}

/* ---- CLINICAL.md §8: the esketamine monitoring record ---------------------------- */

static void
begin_answer_item (JsonBuilder *b, const char *link, const char *text)
{
  json_builder_begin_object (b);
  member_string (b, "linkId", link);
  member_string (b, "text", text);
  json_builder_set_member_name (b, "answer");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
}

static void
end_answer_item (JsonBuilder *b)
{
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* An unanswered question is left out, as FHIR has it: what an item list
 * lacks is what the form lacks. */
static void
add_boolean_item (JsonBuilder *b, const char *link, const char *text, int answer)
{
  if (answer < 0)
    return;
  begin_answer_item (b, link, text);
  json_builder_set_member_name (b, "valueBoolean");
  json_builder_add_boolean_value (b, answer != 0);
  end_answer_item (b);
}

static void
add_string_item (JsonBuilder *b, const char *link, const char *text, const char *answer)
{
  if (answer == NULL || *answer == '\0')
    return;
  begin_answer_item (b, link, text);
  member_string (b, "valueString", answer);
  end_answer_item (b);
}

static void
add_integer_item (JsonBuilder *b, const char *link, const char *text, int answer)
{
  if (answer < 0)
    return;
  begin_answer_item (b, link, text);
  json_builder_set_member_name (b, "valueInteger");
  json_builder_add_int_value (b, answer);
  end_answer_item (b);
}

/* The blood pressure the form asks for: a reference to the reading's
 * Observation in the same Bundle (add_vitals ()). */
static void
add_bp_item (JsonBuilder *b, const char *link, const char *text, const TrajVitalSign *v)
{
  g_autofree char *id = NULL;
  g_autofree char *urn = NULL;

  if (v == NULL)
    return;
  id = uuid_v5 (v->uid, "blood-pressure");
  urn = g_strconcat ("urn:uuid:", id, NULL);
  begin_answer_item (b, link, text);
  member_reference (b, "valueReference", urn);
  end_answer_item (b);
}

/* Every answer the form needs that the session itself answers (the rest
 * comes from the Patient and the clinic). */
static gboolean
monitoring_answered (const TrajInfusion *i)
{
  const int answers[] = { i->rems_first_session, i->rems_vitals_ok_before, i->rems_vitals_ok_leaving,
                          i->rems_sedation, i->rems_dissociation, i->rems_resp_depression, i->rems_adverse };

  for (guint k = 0; k < G_N_ELEMENTS (answers); k++)
    if (answers[k] < 0)
      return FALSE;
  return i->rems_patient_id && *i->rems_patient_id && i->rems_monitored_by && *i->rems_monitored_by &&
         i->lot && *i->lot && i->monitoring_min > 0 && traj_rems_ready_minutes (i) >= 0 &&
         (i->rems_adverse == 0 || (i->rems_adverse_note && *i->rems_adverse_note)) &&
         traj_rems_bp (i, TRAJ_REMS_BP_BEFORE) && traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40) &&
         traj_rems_bp (i, TRAJ_REMS_BP_LEAVING);
}

/* The SPRAVATO REMS Patient Monitoring Form of one intranasal esketamine
 * session, as a QuestionnaireResponse: a form filled in is what an
 * inspector asks for, question by question, and its yes/no answers have
 * no codes an Observation could carry. "completed" when the session
 * answers every question, else "in-progress". */
static void
add_monitoring_record (JsonBuilder *b, const TrajInfusion *i, const char *patient_urn, const char *infusion_urn)
{
  g_autofree char *id = uuid_v5 (i->uid, "esketamine-monitoring");
  g_autofree char *urn = g_strconcat ("urn:uuid:", id, NULL);

  begin_entry (b, urn, "QuestionnaireResponse");
  member_string (b, "questionnaire", TRAJ_FHIR_MONITORING_QUESTIONNAIRE_URL);
  member_string (b, "status", monitoring_answered (i) ? "completed" : "in-progress");
  member_reference (b, "subject", patient_urn);
  member_time (b, "authored", i->started_at);
  if (i->rems_monitored_by && *i->rems_monitored_by)
    {
      json_builder_set_member_name (b, "author");
      json_builder_begin_object (b);
      member_string (b, "display", i->rems_monitored_by);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "item");
  json_builder_begin_array (b);
  begin_answer_item (b, "session", "Treatment session");
  member_reference (b, "valueReference", infusion_urn);
  end_answer_item (b);
  add_boolean_item (b, "first-session", "First treatment session", i->rems_first_session);
  add_string_item (b, "rems-patient-id", "REMS patient enrolment ID", i->rems_patient_id);
  add_boolean_item (b, "benzodiazepines", "Concomitant benzodiazepines",
                    !!(i->concomitant & TRAJ_CONCOMITANT_BENZODIAZEPINE));
  add_boolean_item (b, "sedative-hypnotics", "Concomitant non-benzodiazepine sedative-hypnotics",
                    !!(i->concomitant & TRAJ_CONCOMITANT_SEDATIVE));
  add_boolean_item (b, "psychostimulants", "Concomitant psychostimulants",
                    !!(i->concomitant & TRAJ_CONCOMITANT_STIMULANT));
  add_boolean_item (b, "maois", "Concomitant MAOIs", !!(i->concomitant & TRAJ_CONCOMITANT_MAOI));
  add_string_item (b, "monitored-by", "Healthcare provider who monitored the patient", i->rems_monitored_by);
  if (i->total_mg > 0)
    {
      begin_answer_item (b, "dose", "Dose");
      member_quantity (b, "valueQuantity", i->total_mg, "mg");
      end_answer_item (b);
    }
  add_string_item (b, "lot", "Lot number", i->lot);
  add_integer_item (b, "monitoring-minutes", "Total monitoring time from the first device (minutes)",
                    i->monitoring_min > 0 ? i->monitoring_min : -1);
  add_integer_item (b, "ready-to-leave-minutes",
                    "Minutes until the patient would have been ready to leave without the 2-hour rule",
                    traj_rems_ready_minutes (i));
  add_boolean_item (b, "vitals-acceptable-before", "Vital signs acceptable before dosing", i->rems_vitals_ok_before);
  add_bp_item (b, "bp-before", "Blood pressure before dosing", traj_rems_bp (i, TRAJ_REMS_BP_BEFORE));
  add_bp_item (b, "bp-after-40", "Blood pressure about 40 minutes after dosing",
               traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40));
  add_bp_item (b, "bp-leaving", "Blood pressure before leaving", traj_rems_bp (i, TRAJ_REMS_BP_LEAVING));
  add_boolean_item (b, "vitals-acceptable-leaving", "Vital signs acceptable before leaving",
                    i->rems_vitals_ok_leaving);
  add_boolean_item (b, "sedation", "Sedation", i->rems_sedation);
  add_boolean_item (b, "dissociation", "Dissociation", i->rems_dissociation);
  add_boolean_item (b, "respiratory-depression", "Respiratory depression", i->rems_resp_depression);
  add_boolean_item (b, "adverse-events", "Adverse events", i->rems_adverse);
  if (i->rems_adverse == 1)
    add_string_item (b, "adverse-events-description", "Adverse events: what happened", i->rems_adverse_note);
  json_builder_end_array (b);
  end_entry (b);
}

/* ---- CLINICAL.md §8: the medication list ------------------------------------------ */

/* One MedicationStatement per medicine: the name as typed (no drug code is
 * recorded), its class in Trajectory's code system, the days taken and the
 * dose text. "completed" once its last day is past, else "active". */
static void
add_medication (JsonBuilder *b, const TrajMedication *m, const char *patient_urn, gint32 today)
{
  g_autofree char *urn = urn_for (m->uid);
  g_autofree char *start = traj_day_to_iso (m->start_day);
  g_autofree char *stop = traj_day_to_iso (m->stop_day);

  begin_entry (b, urn, "MedicationStatement");
  member_string (b, "status", m->stop_day != TRAJ_DAY_NONE && m->stop_day < today ? "completed" : "active");
  json_builder_set_member_name (b, "category");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  add_coding (b, TRAJ_FHIR_MEDICINE_CLASS_SYSTEM, traj_med_class_to_string (m->klass), NULL);
  json_builder_end_array (b);
  json_builder_end_object (b);
  member_codeable (b, "medicationCodeableConcept", NULL, NULL, NULL, m->name);
  member_reference (b, "subject", patient_urn);
  if (start || stop)
    {
      json_builder_set_member_name (b, "effectivePeriod");
      json_builder_begin_object (b);
      if (start)
        member_string (b, "start", start);
      if (stop)
        member_string (b, "end", stop);
      json_builder_end_object (b);
    }
  if (m->dose && *m->dose)
    {
      json_builder_set_member_name (b, "dosage");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      member_string (b, "text", m->dose);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  end_entry (b);
}

static void
add_infusion (JsonBuilder *b, const TrajInfusion *i, const char *patient_urn)
{
  g_autofree char *urn = urn_for (i->uid);
  g_autofree char *total = number_text (i->total_mg);
  g_autofree char *dose_note = NULL, *dosage_text = NULL;

  if (traj_dose_is_fixed (i->route, i->medicine) || i->dose_mg_per_kg <= 0)
    dose_note = g_strdup_printf ("Fixed dose of %s mg.", total);
  else
    {
      g_autofree char *per_kg = number_text (i->dose_mg_per_kg);
      g_autofree char *kg = number_text (i->weight_kg);
      dose_note = g_strdup_printf ("Dose %s mg/kg at %s kg body weight = %s mg.", per_kg, kg, total);
    }
  dosage_text = g_strdup_printf ("%s mg %s over %d min", total, traj_route_to_string (i->route), i->duration_min);

  begin_entry (b, urn, "MedicationAdministration");
  /* The medicine, with its lot, travels inside the administration. */
  json_builder_set_member_name (b, "contained");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  member_string (b, "resourceType", "Medication");
  member_string (b, "id", "medicine");
  member_codeable (b, "code", NULL, NULL, NULL, medicine_text (i->medicine));
  if (i->lot && *i->lot)
    {
      json_builder_set_member_name (b, "batch");
      json_builder_begin_object (b);
      member_string (b, "lotNumber", i->lot);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);

  member_string (b, "status", "completed");
  member_codeable (b, "category", "http://terminology.hl7.org/CodeSystem/medication-admin-category",
                   "outpatient", "Outpatient", NULL);
  json_builder_set_member_name (b, "medicationReference");
  json_builder_begin_object (b);
  member_string (b, "reference", "#medicine");
  member_string (b, "display", medicine_text (i->medicine));
  json_builder_end_object (b);
  member_reference (b, "subject", patient_urn);
  json_builder_set_member_name (b, "effectivePeriod");
  json_builder_begin_object (b);
  member_time (b, "start", i->started_at);
  member_time (b, "end", i->started_at + (gint64) i->duration_min * 60);
  json_builder_end_object (b);
  if (i->clinician && *i->clinician)
    {
      json_builder_set_member_name (b, "performer");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "actor");
      json_builder_begin_object (b);
      member_string (b, "display", i->clinician);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }

  json_builder_set_member_name (b, "note");
  json_builder_begin_array (b);
  add_note (b, dose_note);
  {
    g_autofree char *phase = g_strdup_printf ("Phase: %s.", traj_phase_to_string (i->phase));
    add_note (b, phase);
  }
  if (i->side_effects)
    {
      g_autofree char *joined = traj_side_effects_to_codes (i->side_effects);
      g_auto(GStrv) parts = g_strsplit (joined, ",", -1);
      g_autofree char *codes = g_strjoinv (", ", parts);
      g_autofree char *text = NULL;

      text = i->side_effect_note && *i->side_effect_note
               ? g_strdup_printf ("Side effects: %s (%s).", codes, i->side_effect_note)
               : g_strdup_printf ("Side effects: %s.", codes);
      add_note (b, text);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "dosage");
  json_builder_begin_object (b);
  member_string (b, "text", dosage_text);
  member_codeable (b, "route", SNOMED, traj_fhir_route_snomed (i->route), route_display (i->route), NULL);
  member_quantity (b, "dose", i->total_mg, "mg");
  json_builder_end_object (b);
  end_entry (b);

  add_vitals (b, i, patient_urn, urn);
  add_tolerability (b, i, patient_urn, urn);
  if (traj_rems_applies (i))
    add_monitoring_record (b, i, patient_urn, urn);
}

/* Issue 15 / CLINICAL.md §8: the patient's history of substance use, when
 * recorded, as a social-history Observation in Trajectory's own codes (no
 * LOINC code says none / past / current). */
static void
add_substance_use (JsonBuilder *b, const TrajPatient *p, const char *patient_urn)
{
  static const char *displays[TRAJ_N_SUBSTANCE_USES] = {
    [TRAJ_SUBSTANCE_USE_NONE] = "No history of substance use",
    [TRAJ_SUBSTANCE_USE_PAST] = "Past substance use",
    [TRAJ_SUBSTANCE_USE_CURRENT] = "Current substance use",
  };
  g_autofree char *id = NULL;
  g_autofree char *urn = NULL;
  const char *display;

  if ((guint) p->substance_use >= TRAJ_N_SUBSTANCE_USES || (display = displays[p->substance_use]) == NULL)
    return;
  id = uuid_v5 (p->uid, "substance-use");
  urn = g_strconcat ("urn:uuid:", id, NULL);
  begin_entry (b, urn, "Observation");
  member_string (b, "status", "final");
  member_category (b, "social-history", "Social History");
  member_codeable (b, "code", TRAJ_FHIR_PATIENT_HISTORY_SYSTEM, "substance-use", "History of substance use",
                   "History of substance use");
  member_reference (b, "subject", patient_urn);
  member_codeable (b, "valueCodeableConcept", TRAJ_FHIR_SUBSTANCE_USE_SYSTEM,
                   traj_substance_use_to_string (p->substance_use), display, display);
  end_entry (b);
}

static void
add_entries (JsonBuilder *b, const TrajPatientRecords *r)
{
  g_autofree char *patient_urn = urn_for (r->patient->uid);

  add_patient (b, r->patient, patient_urn);
  add_substance_use (b, r->patient, patient_urn);
  for (guint k = 0; k < r->medications->len; k++)
    add_medication (b, g_ptr_array_index (r->medications, k), patient_urn, traj_day_today ());
  for (guint k = 0; k < r->infusions->len; k++)
    add_infusion (b, g_ptr_array_index (r->infusions, k), patient_urn);
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);

      /* A draft holding a safety answer is a safety finding too
       * (CLINICAL.md §4): its answers so far go, in progress. */
      if (traj_scale_get (a->scale) != NULL && (a->complete || traj_assessment_safety_answer (a) > 0))
        add_assessment (b, a, patient_urn);
    }
}

/* Streaming: the patient's entries are built with JsonBuilder and each is
 * written by JsonGenerator; only the separators of the entry array are
 * written here. One patient in memory at a time, whatever the clinic. */
static gboolean
write_entries (Build *build, const TrajPatientRecords *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonArray *entries;

  json_builder_begin_array (b);
  add_entries (b, r);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  entries = json_node_get_array (root);
  for (guint k = 0; k < json_array_get_length (entries); k++)
    {
      const char *sep = build->first ? "\n" : ",\n";
      g_autofree char *entry = NULL;
      gsize len;

      build->first = FALSE;
      json_generator_set_root (build->gen, json_array_get_element (entries, k));
      entry = traj_json_generate (build->gen, &len);
      if (g_cancellable_set_error_if_cancelled (build->cancellable, &build->error) ||
          !traj_safe_file_write (build->out, sep, strlen (sep), &build->error) ||
          !traj_safe_file_write (build->out, entry, len, &build->error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_patient_records (TrajPatientRecords *r, gpointer user_data)
{
  Build *build = user_data;

  if (build->out)
    {
      if (!write_entries (build, r))
        return FALSE;
    }
  else
    add_entries (build->b, r);
  build->done++;
  if (build->progress && (build->done % 16 == 0 || build->done == build->n_patients))
    build->progress (build->n_patients > 0 ? (double) build->done / (double) build->n_patients : 1.0,
                     build->progress_data);
  return TRUE;
}

/* Feeds one patient (@mrn) or every live patient to add_patient_records. */
static gboolean
walk_patients (TrajStore *store, const char *mrn, Build *build, GCancellable *cancellable, GError **error)
{
  if (mrn)
    {
      g_autoptr(TrajPatient) p = traj_store_find_patient_by_mrn (store, mrn, error);
      g_autoptr(TrajPatientRecords) r = NULL;

      if (p == NULL)
        return FALSE;
      g_free (build->patient_uid);
      build->patient_uid = g_strdup (p->uid);
      r = traj_store_load_patient_records (store, p->id, error);
      if (r == NULL)
        return FALSE;
      build->n_patients = 1;
      add_patient_records (r, build);
    }
  else
    {
      build->n_patients = traj_store_count (store, TRAJ_KIND_PATIENT, error);
      if (build->n_patients < 0 ||
          !traj_store_foreach_patient_records (store, add_patient_records, build, cancellable, error))
        return FALSE;
    }
  if (build->error)
    {
      g_propagate_error (error, g_steal_pointer (&build->error));
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static void
begin_bundle (JsonBuilder *b)
{
  json_builder_begin_object (b);
  member_string (b, "resourceType", "Bundle");
  member_string (b, "type", "collection");
  member_time (b, "timestamp", traj_time_now ());
  json_builder_set_member_name (b, "entry");
  json_builder_begin_array (b);
}

/* ---- public API ------------------------------------------------------------- */

JsonNode *
traj_fhir_build_bundle (TrajStore         *store,
                        const char        *mrn,
                        TrajProgressFunc   progress,
                        gpointer           progress_data,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  Build build = { 0 };
  gboolean ok;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);

  build.b = b;
  build.progress = progress;
  build.progress_data = progress_data;
  begin_bundle (b);
  ok = walk_patients (store, mrn, &build, cancellable, error);
  g_free (build.patient_uid);
  if (!ok)
    return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (progress)
    progress (1.0, progress_data);
  return json_builder_get_root (b);
}

gboolean
traj_fhir_export (TrajStore         *store,
                  const char        *mrn,
                  const char        *path,
                  TrajProgressFunc   progress,
                  gpointer           progress_data,
                  GCancellable      *cancellable,
                  GError           **error)
{
  g_autoptr(JsonBuilder) envelope = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  TrajSafeFile *out;
  g_autofree char *head = NULL;
  Build build = { 0 };
  gboolean ok;
  gsize len;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* On a clinic server every export is in the access log first. */
  if (!traj_store_record_read (store, 0, "FHIR export", error))
    return FALSE;

  /* The Bundle with an empty entry array, cut before its "]}": the entries
   * go in between. */
  begin_bundle (envelope);
  json_builder_end_array (envelope);
  json_builder_end_object (envelope);
  root = json_builder_get_root (envelope);
  json_generator_set_root (gen, root);
  head = json_generator_to_data (gen, &len);
  g_return_val_if_fail (g_str_has_suffix (head, "[]}"), FALSE);
  head[len - 2] = '\0';

  /* A new 0600 file beside @path, renamed over it when complete; a device
   * or FIFO (/dev/stdout) is written through (traj-safe-file.h). */
  out = traj_safe_file_new (path, error);
  if (out == NULL)
    return FALSE;

  build.out = out;
  /* One entry per line: compact, yet easy to grep and diff. */
  build.gen = json_generator_new ();
  build.first = TRUE;
  build.cancellable = cancellable;
  build.progress = progress;
  build.progress_data = progress_data;
  ok = traj_safe_file_write (out, head, strlen (head), error) &&
       walk_patients (store, mrn, &build, cancellable, error) &&
       traj_safe_file_write (out, "\n]}\n", 4, error) &&
       traj_safe_file_commit (out, error);
  g_object_unref (build.gen);
  /* Unless committed, this removes what was written. */
  traj_safe_file_free (out);
  if (!ok)
    {
      g_free (build.patient_uid);
      return FALSE;
    }
  /* Who exported whom, and where to (issue 16 §3): one patient's export
   * names that patient, so the Audit Trail's patient filter finds it. */
  {
    g_autofree char *what = mrn ? g_strdup_printf ("FHIR export of MRN %s", mrn) : g_strdup ("FHIR export");
    g_autofree char *where = g_canonicalize_filename (path, NULL);
    const char *one[] = { build.patient_uid, NULL };

    ok = traj_store_audit_output (store, "export", what, build.patient_uid ? one : NULL, where, error);
    g_free (build.patient_uid);
    if (!ok)
      return FALSE;
  }
  if (progress)
    progress (1.0, progress_data);
  return TRUE;
}
