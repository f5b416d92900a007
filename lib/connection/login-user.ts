/** The user omsplay runs as on the control node: the local transport's login user, the default ssh user, a lock's owner. */
import { userInfo } from 'node:os';

/** The passwd entry's name, asked once (it cannot change while the process runs); null: the uid has no entry. */
let fromPasswd: string | null | undefined;

/** The user's name; without a passwd entry (some containers) $USER, else `unknown`. */
export function localUserName(unknown = 'root'): string {
  if (fromPasswd === undefined) {
    try {
      fromPasswd = userInfo().username;
    } catch {
      fromPasswd = null;
    }
  }
  return fromPasswd ?? process.env.USER ?? unknown;
}
