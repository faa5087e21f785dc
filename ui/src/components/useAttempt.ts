// Running a command from a dialog or button: `busy` is true meanwhile, and
// a failure is shown as the core's Chinese message. Returns the result, or
// undefined when the command failed.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { errorText } from '../logic/problems'

export function useAttempt() {
  const { t } = useI18n()
  const busy = ref(false)
  async function attempt<T>(run: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    try {
      return await run()
    } catch (e) {
      ElMessage.error(errorText(e, t))
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, attempt }
}
