import { mount } from 'svelte';
import SidePanel from '@/components/SidePanel.svelte';
import '@/components/theme.css';
import { createTodoClient } from '@/lib/messages/client';
import { extensionPreferences } from '@/lib/platform/preferences-page';

const target = document.getElementById('app');
if (target)
  mount(SidePanel, { target, props: { client: createTodoClient(), preferences: extensionPreferences() } });
