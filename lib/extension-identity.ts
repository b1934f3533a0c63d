/**
 * Fixed identity of the unpacked/dev/test build. A manifest `key` pins Chrome's extension id (and so
 * its OPFS data) across builds, paths and machines; the gecko id does the same for Firefox.
 * The private half is not needed (and not kept): nothing is signed with it.
 */
export const CHROME_EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzTBq1BWnevRhX/8zm4oF9upDWV6AZMwzKO8ZQHPO5yDscMkeoIB8u9W9wo/0EndnpyAMa//P5kmPxFSZpRA6nH0usg/ZqVeO00t1HnUp1AtlSium2JJKLk+UzHWnF6w9xh6aAAgKJHTrkuypsvpbbJv/toZhkon9T8NgpFm1v3OLSNixE/P2X8Y+Jo1jSkpGvmWAaYj9DIjAaBA9BGnLV40NSaFne5j+YZngBb2xKgl4qpV6kNPyI+ueOvG7fU8zXUh0NjySpnPQmGZc4ltqHytJcr76DYytPfPyy4dtY6H+5qsGysVNwTwrdiKtYybIunCb320M2j/HF2wifJ3yZQIDAQAB';
export const CHROME_EXTENSION_ID = 'ohlbchoakgflhhfbbmllgmpgholagfif';
export const GECKO_ID = 'todo-tasker@todo-tasker.app';
/** Pinned in test profiles via the `extensions.webextensions.uuids` pref. */
export const FIREFOX_TEST_UUID = '6f1d7c52-3c1e-4b8e-9a3f-2d4b8c9e7a10';
