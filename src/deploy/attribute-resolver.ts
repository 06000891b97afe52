// Attribute values for one deployment: the profile's values over the deployment plan's, over the build
// plan's and the scripts' defaults (the plan's list already carries those), checked all at once.
import { attributeProblems, attributeValues, fromOsCustomAttributes, layerValues, type AttributeProblem } from '../attributes/index.js';
import { invalid } from '../core/errors.js';
import type { DeploymentPlan } from '../artifacts/index.js';
import type { OsCustomAttribute } from './os-deployment-settings.js';

/** The values a deploy of `plan` runs with, given a profile's `osCustomAttributes`; throws naming every bad value. */
export function resolveAttributes(plan: DeploymentPlan, given: readonly OsCustomAttribute[]): Record<string, string> {
  const fromProfile = fromOsCustomAttributes(given);
  const problems: AttributeProblem[] = [];
  for (const attribute of plan.customAttributes) {
    if (attribute.editable) continue;
    const value = fromProfile[attribute.name];
    if (value !== undefined && value !== (attribute.value ?? '')) {
      problems.push({ name: attribute.name, message: `Attribute "${attribute.name}" is fixed by deployment plan "${plan.name}" and cannot be set by a profile` });
    }
  }
  const values = layerValues(fromProfile, attributeValues(plan.customAttributes));
  problems.push(...attributeProblems(plan.customAttributes, values));
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 value is not acceptable' : `${problems.length} values are not acceptable`;
    throw invalid('ATTRIBUTE_VALUES_INVALID', `Cannot deploy "${plan.name}": ${count}`, {
      details: problems.map((p) => p.message).join('\n'),
      data: { problems },
      recommendedActions: ['Correct the values named in the details and apply the profile again'],
    });
  }
  return values;
}
