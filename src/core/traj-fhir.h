/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "traj-demo.h"
#include "traj-store.h"

G_BEGIN_DECLS

/* FHIR R4 export (CLINICAL.md §6). One Bundle of type "collection" holding,
 * per live patient:
 *  - Patient (id = the patient's uid, identifier = the MRN), and its
 *    history of substance use when recorded (an Observation, see below);
 *  - per complete assessment an Observation (category survey, code = the
 *    scale's total-score LOINC, valueInteger = the total) derivedFrom a
 *    QuestionnaireResponse whose item linkIds are the items' LOINC codes
 *    (a total-only scale such as MADRS gets the Observation alone; a scale
 *    without a LOINC total is coded in TRAJ_SCALE_CODE_SYSTEM by its code);
 *  - per infusion a MedicationAdministration (effectivePeriod, SNOMED route,
 *    dose in mg, mg/kg and weight in a note, lot in a contained Medication),
 *    a body-weight Observation, and vital-sign Observations per reading
 *    (blood-pressure panel with systolic/diastolic components, heart rate,
 *    respiratory rate, SpO2; category vital-signs; UCUM units) partOf it;
 *  - per intranasal esketamine session its monitoring record (CLINICAL.md
 *    §8) as a QuestionnaireResponse of TRAJ_FHIR_MONITORING_QUESTIONNAIRE_URL:
 *    one item per question answered (unanswered ones left out, status
 *    "in-progress" until all are), the session and its blood pressures by
 *    reference;
 *  - per medicine on the list a MedicationStatement (name as text, class in
 *    TRAJ_FHIR_MEDICINE_CLASS_SYSTEM as its category, effectivePeriod from
 *    the known start and stop days, dose text).
 * A questionnaire whose safety item (PHQ-9 item 9) a tablet ever saved
 * above 0 carries the highest answer saved (which the current answer may
 * be below: the patient changed it) in an extension
 * (TRAJ_FHIR_SAFETY_HIGHEST_URL, valueInteger 1–3) on the
 * QuestionnaireResponse's safety item (present even when that item is now
 * unanswered) and on the score's Observation.
 * A draft whose safety item holds an answer above 0 (a safety finding)
 * goes as a QuestionnaireResponse of status "in-progress" with the answers
 * given so far, and no Observation; other drafts and hidden records are
 * left out. References are urn:uuid fullUrls
 * inside the Bundle; ids derived from the records' uids, so exporting the
 * same records twice gives the same resources. */

/* CLINICAL.md §8: the class of a medicine on a MedicationStatement's
 * category, by its code (traj_med_class_to_string ()), and the form an
 * esketamine session's monitoring record answers (QuestionnaireResponse). */
/* Issue 15: the patient's history of substance use, a social-history
 * Observation coded TRAJ_FHIR_PATIENT_HISTORY_SYSTEM "substance-use" whose
 * valueCodeableConcept is none, past or current in
 * TRAJ_FHIR_SUBSTANCE_USE_SYSTEM (none when not recorded). */
#define TRAJ_FHIR_PATIENT_HISTORY_SYSTEM "https://github.com/trajectory/trajectory/fhir/CodeSystem/patient-history"
#define TRAJ_FHIR_SUBSTANCE_USE_SYSTEM "https://github.com/trajectory/trajectory/fhir/CodeSystem/substance-use"
#define TRAJ_FHIR_MEDICINE_CLASS_SYSTEM "https://github.com/trajectory/trajectory/fhir/CodeSystem/medicine-class"
#define TRAJ_FHIR_MONITORING_QUESTIONNAIRE_URL \
  "https://github.com/trajectory/trajectory/fhir/Questionnaire/esketamine-monitoring"
#define TRAJ_FHIR_SAFETY_HIGHEST_URL "https://github.com/trajectory/trajectory/fhir/StructureDefinition/safety-answer-highest"

/* The Bundle for the patient with @mrn, or for every live patient when @mrn
 * is NULL, as a tree in memory (about 1 MB per patient: fine for one patient
 * or a small clinic; a whole clinic goes to a file with traj_fhir_export).
 * Runs in whatever thread owns @store; @progress gets 0…1. */
JsonNode *traj_fhir_build_bundle (TrajStore         *store,
                                  const char        *mrn,
                                  TrajProgressFunc   progress,
                                  gpointer           progress_data,
                                  GCancellable      *cancellable,
                                  GError           **error);

/* Writes the same Bundle as JSON to @path (mode 0600, replacing an older
 * file only when complete), one patient at a time: each entry is built with
 * JsonBuilder and written by JsonGenerator, so memory stays small whatever
 * the size of the clinic. For a GTask thread with its own connection. */
gboolean  traj_fhir_export       (TrajStore         *store,
                                  const char        *mrn,
                                  const char        *path,
                                  TrajProgressFunc   progress,
                                  gpointer           progress_data,
                                  GCancellable      *cancellable,
                                  GError           **error);

/* The SNOMED CT code of a route (IV 47625008, IM 78421000, intranasal
 * 46713006, oral 26643006). */
const char *traj_fhir_route_snomed (TrajRoute route);
/* The LOINC code of a scale's total score (the scale table's), or NULL (MADRS). */
const char *traj_fhir_total_loinc  (TrajScaleId scale);

G_END_DECLS
