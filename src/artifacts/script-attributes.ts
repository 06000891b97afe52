// Custom attributes as artifacts show them, from the attribute module (reference §4.2, §4.8): the
// attributes a script refers to, and a build plan's union over its steps with the plan's overrides.
export { scriptAttributes, buildPlanAttributes as mergeAttributes, type CustomAttribute } from '../attributes/index.js';
