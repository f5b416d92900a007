// The CLI from source (tests): same as bin/omsplay.js without the build step.
import { main } from '../../lib/cli/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
