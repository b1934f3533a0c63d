import { mount } from 'svelte';
import Popup from '@/components/Popup.svelte';
import '@/components/theme.css';
import { createTodoClient } from '@/lib/messages/client';
import { extensionPreferences } from '@/lib/platform/preferences-page';
import { createSidePanelOpener } from '@/lib/platform/side-panel';
import { createFirefoxSidebarOpener } from '@/lib/platform/sidebar-firefox';

const opener = import.meta.env.FIREFOX ? createFirefoxSidebarOpener() : createSidePanelOpener();
const target = document.getElementById('app');
if (target)
  mount(Popup, {
    target,
    props: {
      client: createTodoClient(),
      openSidePanel: () => opener.open(),
      preferences: extensionPreferences(),
    },
  });
