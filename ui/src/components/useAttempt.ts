// Running a command from a dialog or button: `busy` is true meanwhile, and
// a failure is shown as the core's Chinese message, by `report` when the
// component says how (an inline alert, a warning) and as an error toast
// otherwise. Returns the result, or undefined when the command failed.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { errorText } from '../logic/problems'

export function useAttempt(report: (text: string) => void = (text) => ElMessage.error(text)) {
  const { t } = useI18n()
  const busy = ref(false)
  /**
   * `failed` sees the raw error before it is reported, to show the fields
   * it names; when it returns true it has told the user itself, and the
   * message is not shown.
   */
  async function attempt<T>(run: () => Promise<T>, failed?: (e: unknown) => boolean | void): Promise<T | undefined> {
    busy.value = true
    try {
      return await run()
    } catch (e) {
      if (failed?.(e) !== true) report(errorText(e, t))
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, attempt }
}
