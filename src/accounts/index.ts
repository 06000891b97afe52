// Accounts: users with roles, scrypt passwords, login sessions with an idle timeout.
export { Accounts, type User, type Principal, type UserInput } from './accounts.js';
export { roles, may, isRole, type Role, type Area, type Action } from './roles.js';
