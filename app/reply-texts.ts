import { CMMS_ROLES, type LinkedIdentity } from '../core/identity/types.ts';
import { createReplyTexts, fixedReplyTexts, type ReplyTexts, SAMPLE_MARK } from '../core/store/reply-texts.ts';
import { replies } from '../machines/replies.ts';

/** Who a reply may be shaped for: nobody linked, and one user of each CMMS role (their menus differ). */
const SAMPLES: readonly (LinkedIdentity | null)[] = [
  null,
  ...CMMS_ROLES.map((role, i) => ({ cmmsUserId: i, username: SAMPLE_MARK, fullName: SAMPLE_MARK, role, linkedAt: '' })),
];

/** The conversation's fixed texts (and button sets): the transcript stores them by reference. */
export function conversationReplyTexts(): ReplyTexts {
  return createReplyTexts(fixedReplyTexts(replies, SAMPLES));
}
