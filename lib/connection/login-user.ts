/** The user omsplay runs as on the control node (the local transport's login user). */
import { userInfo } from 'node:os';

export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
