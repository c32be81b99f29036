// Every page of the console, in menu order. A new service's page is one import here.
import './overview.js';
import './pubsub.js';
import './storage.js';
import './secrets.js';
import './run.js';
import './tasks.js';
import './backing.js';
import './events.js';
import './faults.js';
import './scenarios.js';
