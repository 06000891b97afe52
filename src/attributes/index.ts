// Typed custom attributes (reference §4.8, §6, §9.2): references in script text and their substitution,
// the eight types with their constraints, validation, build-plan unions, OneView's profile form, masking.
export { tokenize, scanReferences, referenceKey, substitute, type AttributeReference, type AttributeValues, type Substitution, type TextToken } from './references.js';
export {
  ATTRIBUTE_TYPES,
  NIC_PROFILE_FIELDS,
  isAttributeType,
  parseConstraints,
  formatConstraints,
  type AttributeType,
  type Constraints,
  type CustomAttribute,
  type DeploymentPlanAttribute,
} from './types.js';
export { attributeProblems, validateAttributeValues, validateAttributeDefinitions, STRING_MAX_LENGTH, type AttributeProblem, type ValidateOptions } from './validate.js';
export { scriptAttributes, buildPlanAttributes } from './plan-attributes.js';
export { toOsCustomAttributes, fromOsCustomAttributes, nicFields, attributeValues, layerValues, type OsCustomAttribute } from './oneview.js';
export { PASSWORD_MASK, maskAttributes, unmaskAttributes, secretValues, maskSecrets } from './secrets.js';
