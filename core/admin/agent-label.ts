import { ValidationError } from '../errors.ts';
import type { AgentLabel } from '../runtime/model.ts';

/** The longest name or role an operator may sign with (the user reads "<name> (<role>): …"). */
export const MAX_AGENT_LABEL = 40;

/**
 * No control characters, line separators or bidirectional overrides (a line break or a reversed run
 * would let a label pass for a message of its own); the machine signs with the same rule.
 */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function part(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`, { field });
  const text = value.trim();
  if (!text) return undefined;
  if ([...text].length > MAX_AGENT_LABEL) {
    throw new ValidationError(`${field} is at most ${MAX_AGENT_LABEL} characters`, { field });
  }
  if (FORBIDDEN.test(text)) throw new ValidationError(`${field} must not contain control characters`, { field });
  return text;
}

/**
 * Who signs an operator's reply, from the request (GraphQL `agentName`/`agentRole`, REST
 * `agent_name`/`agent_role`): trimmed, 1 to 40 characters each; none given is undefined (the user
 * sees "Operador"). A role needs a name.
 */
export function agentLabelOf(
  name: unknown,
  role: unknown,
  fields: { name: string; role: string } = { name: 'agent_name', role: 'agent_role' },
): AgentLabel | undefined {
  const agentName = part(name, fields.name);
  const agentRole = part(role, fields.role);
  if (!agentName) {
    if (agentRole) throw new ValidationError(`${fields.role} needs ${fields.name}`, { field: fields.role });
    return undefined;
  }
  return agentRole ? { name: agentName, role: agentRole } : { name: agentName };
}
